#include "config/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
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

std::string credentials_path_error(std::string_view path,
                                   const std::optional<std::string>& credentials_directory) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  if (p.is_absolute() || !credentials_directory || credentials_directory->empty()) return {};
  for (const auto& part : p) {
    if (part == "..") {
      return "secret file " + std::string(path) + " must stay inside CREDENTIALS_DIRECTORY (no ..)";
    }
  }
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(fs::path(*credentials_directory), ec);
  if (ec) return {};
  const fs::path real = fs::weakly_canonical(root / p, ec);
  if (ec) return {};
  const auto [end, ignored] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
  if (end != root.end()) {
    return "secret file " + std::string(path) +
           " leads outside CREDENTIALS_DIRECTORY (a symbolic link to " + real.string() + ")";
  }
  return {};
}

SecretFileRead read_secret_file(const std::string& path) {
  SecretFileRead out;
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, hanging
  // check-config or the event loop on SIGHUP. It changes nothing for the regular file accepted.
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
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
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    out.warning = "secret file " + path + " is accessible by group or others (mode " + mode +
                  "); make it 0600 or 0400, or use a systemd credential (LoadCredential=)";
  }
  return out;
}

}  // namespace opsync
