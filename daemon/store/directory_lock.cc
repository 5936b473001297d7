#include "store/directory_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace opsync {
namespace {

[[noreturn]] void fail_errno(int error, const std::string& what) {
  throw std::system_error(error, std::generic_category(), what);
}

/// The pid the holder wrote, or "" if the file has none (yet).
std::string holder_pid(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return {};
  std::string_view text(buffer, static_cast<std::size_t>(n));
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  return std::string(text.substr(0, digits));
}

}  // namespace

DirectoryLock::DirectoryLock(const std::string& directory)
    : path_((std::filesystem::path(directory) / kFileName).string()) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) fail_errno(errno, "cannot open " + path_);
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    const std::string pid = error == EWOULDBLOCK ? holder_pid(fd_) : std::string();
    ::close(fd_);
    fd_ = -1;
    if (error != EWOULDBLOCK) fail_errno(error, "cannot lock " + path_);
    throw DirectoryLockedError("state directory " + directory + " is in use by another opsyncd" +
                               (pid.empty() ? std::string() : " (pid " + pid + ")") + ": " + path_ +
                               " is locked");
  }
  // Ours now: owner-only, whatever an older file had, and the holder's pid for the next one.
  // Both are best effort: the lock is what counts.
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::fchmod(fd_, 0600) != 0 || ::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // The pid is only a hint in the next instance's error message.
  }
}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

}  // namespace opsync
