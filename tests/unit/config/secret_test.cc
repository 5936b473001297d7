#include "config/secret.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sstream>

#include "config/secret_file.h"
#include "test_files.h"

namespace opsync {
namespace {

using testing::TempDir;

TEST(Secret, PrintsStarsNeverTheValue) {
  const Secret secret("hunter2");
  std::ostringstream os;
  os << secret;
  EXPECT_EQ(os.str(), "***");
  EXPECT_EQ(fmt::format("{}", secret), "***");
  EXPECT_EQ(fmt::format("[{:>5}]", secret), "[  ***]");
  EXPECT_EQ(secret.reveal(), "hunter2");
  EXPECT_EQ(::testing::PrintToString(secret), "***");
}

TEST(ResolveSecretPath, AbsolutePathsStay) {
  EXPECT_EQ(resolve_secret_path("/run/x", std::string("/creds"), "/etc/opsync"), "/run/x");
}

TEST(ResolveSecretPath, RelativeUsesCredentialsDirectoryThenConfigDirectory) {
  EXPECT_EQ(
      resolve_secret_path("token", std::string("/run/credentials/opsyncd.service"), "/etc/opsync"),
      "/run/credentials/opsyncd.service/token");
  EXPECT_EQ(resolve_secret_path("token", std::nullopt, "/etc/opsync"), "/etc/opsync/token");
  EXPECT_EQ(resolve_secret_path("token", std::string(""), "/etc/opsync"), "/etc/opsync/token");
}

TEST(ReadSecretFile, StripsOneTrailingNewline) {
  const TempDir dir;
  EXPECT_EQ(read_secret_file(dir.write("a", "s3cret\n")).secret->reveal(), "s3cret");
  EXPECT_EQ(read_secret_file(dir.write("b", "s3cret\r\n")).secret->reveal(), "s3cret");
  EXPECT_EQ(read_secret_file(dir.write("c", "s3cret\n\n")).secret->reveal(), "s3cret\n");
  EXPECT_EQ(read_secret_file(dir.write("d", "s3cret")).secret->reveal(), "s3cret");
  EXPECT_EQ(read_secret_file(dir.write("e", " two words ")).secret->reveal(), " two words ");
}

TEST(ReadSecretFile, ErrorsNameThePathNotTheContent) {
  const TempDir dir;
  const SecretFileRead missing = read_secret_file((dir.path() / "nope").string());
  EXPECT_FALSE(missing.secret);
  EXPECT_NE(missing.error.find("nope"), std::string::npos);
  EXPECT_NE(missing.error.find("No such file"), std::string::npos);

  const SecretFileRead directory = read_secret_file(dir.path().string());
  EXPECT_FALSE(directory.secret);
  EXPECT_NE(directory.error.find("not a regular file"), std::string::npos);

  const std::string big = dir.write("big", std::string(kMaxSecretFileBytes + 1, 'x'));
  const SecretFileRead too_big = read_secret_file(big);
  EXPECT_FALSE(too_big.secret);
  EXPECT_EQ(too_big.error.find("xxx"), std::string::npos);
}

TEST(ReadSecretFile, UnreadableFileIsAnError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  const TempDir dir;
  const std::string path = dir.write("locked", "hunter2");
  ASSERT_EQ(::chmod(path.c_str(), 0), 0);
  const SecretFileRead read = read_secret_file(path);
  EXPECT_FALSE(read.secret);
  EXPECT_NE(read.error.find("Permission denied"), std::string::npos) << read.error;
  EXPECT_EQ(read.error.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace opsync
