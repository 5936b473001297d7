#include "config/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace opsync {
namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

// Closes the descriptor on every return path.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const noexcept { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string resolve_secret_path(std::string_view path,
                                const std::optional<std::string>& credentials_directory,
                                std::string_view config_directory) {
  const std::filesystem::path p(path);
  if (p.is_absolute()) return p.string();
  if (credentials_directory && !credentials_directory->empty()) {
    return (std::filesystem::path(*credentials_directory) / p).string();
  }
  if (config_directory.empty()) return p.string();
  return (std::filesystem::path(config_directory) / p).string();
}

SecretFileRead read_secret_file(const std::string& path) {
  SecretFileRead out;
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    out.error = "cannot open secret file " + path + ": " + errno_text(errno);
    return out;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    out.error = "cannot stat secret file " + path + ": " + errno_text(errno);
    return out;
  }
  if (!S_ISREG(st.st_mode)) {
    out.error = "secret file " + path + " is not a regular file";
    return out;
  }
  std::string content;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.error = "cannot read secret file " + path + ": " + errno_text(errno);
      return out;
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > kMaxSecretFileBytes) {
      out.error = "secret file " + path + " is larger than " + std::to_string(kMaxSecretFileBytes) +
                  " bytes";
      return out;
    }
  }
  if (content.ends_with('\n')) {
    content.pop_back();
    if (content.ends_with('\r')) content.pop_back();
  }
  out.secret = Secret(std::move(content));
  return out;
}

}  // namespace opsync
