#pragma once
// A fresh directory under the system temp dir, removed with its contents on destruction (kept,
// for a post-mortem, when OPSYNC_KEEP_TEST_DIRS=1).

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace opsync::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("opsync-test-" + std::to_string(rd()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    if (const char* keep = std::getenv("OPSYNC_KEEP_TEST_DIRS"); keep && std::string(keep) == "1")
      return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace opsync::testing
