#include "config/secret.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <sstream>
#include <thread>

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

// Issue 13: a FIFO as a secret file hung check-config (and the event loop on SIGHUP) until some
// writer opened it. It is refused at once; the writer below only unblocks the old code.
TEST(ReadSecretFile, AFifoIsRefusedWithoutWaitingForAWriter) {
  const TempDir dir;
  const std::string fifo = (dir.path() / "token").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::atomic<bool> writer_opened{false};
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    writer_opened = true;
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
  });
  const SecretFileRead read = read_secret_file(fifo);
  const bool waited = writer_opened;
  writer.join();
  EXPECT_FALSE(waited) << "read_secret_file waited for a writer";
  EXPECT_FALSE(read.secret);
  EXPECT_NE(read.error.find("not a regular file"), std::string::npos) << read.error;
}

TEST(CredentialsPath, MayNotLeaveTheCredentialsDirectory) {
  const TempDir dir;
  const std::string creds = (dir.path() / "creds").string();
  std::filesystem::create_directories(creds);
  dir.write("outside", "elsewhere");
  std::filesystem::create_symlink(dir.path() / "outside", std::filesystem::path(creds) / "link");
  dir.write("creds/token", "s3cret");
  EXPECT_EQ(credentials_path_error("token", creds), "");
  EXPECT_NE(credentials_path_error("../outside", creds).find("no .."), std::string::npos);
  EXPECT_NE(credentials_path_error("sub/../../outside", creds).find("no .."), std::string::npos);
  EXPECT_NE(credentials_path_error("link", creds).find("leads outside CREDENTIALS_DIRECTORY"),
            std::string::npos);
  EXPECT_EQ(credentials_path_error("/etc/opsync/token", creds), "")
      << "absolute: operator's choice";
  EXPECT_EQ(credentials_path_error("../outside", std::nullopt), "") << "no credentials directory";
}

}  // namespace
}  // namespace opsync
