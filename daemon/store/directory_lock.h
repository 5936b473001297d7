#pragma once
// The state directory belongs to one opsyncd at a time: DirectoryLock holds an exclusive flock(2)
// on `<directory>/opsync.lock` (created 0600) for its lifetime and writes the holder's pid into
// it. A second instance on the same directory, in this process or another, is refused at once
// instead of pushing the same rows. The lock is released when the object is destroyed or the
// process dies; the file itself stays.

#include <stdexcept>
#include <string>

namespace opsync {

/// Thrown when another opsyncd (or another StateStore in this process) holds the directory.
class DirectoryLockedError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DirectoryLock {
 public:
  static constexpr const char* kFileName = "opsync.lock";

  /// Takes the lock on `directory` (which must exist). Throws DirectoryLockedError if it is held
  /// ("state directory D is in use by another opsyncd (pid N)"), std::system_error if the lock
  /// file cannot be opened.
  explicit DirectoryLock(const std::string& directory);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace opsync
