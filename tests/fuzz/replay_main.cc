// Replays inputs through a fuzz target's LLVMFuzzerTestOneInput without libFuzzer, so that the
// normal build (gcc, ASan + UBSan) runs every committed seed and regression input as a ctest test
// (tests/fuzz/CMakeLists.txt, docs/fuzzing.md). Deterministic: the same files, in name order,
// every run; no exploration.
//
//   <target>_replay [--timeout=SECONDS] DIR_OR_FILE...
//
// Exits 0 after printing how many inputs ran; a crash or sanitizer report fails the run as it would
// under libFuzzer, and an input that runs longer than the timeout (default 25 s) is a hang: the
// run stops with the input's path and exit status 1.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Optional, as with libFuzzer: a target defines it when it needs one-time setup.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

// The input being run, for the timeout's message (a signal handler may only read it).
char current[4096] = "";

extern "C" void on_alarm(int) {
  static const char prefix[] = "replay: TIMEOUT (a hang) on ";
  (void)!::write(2, prefix, sizeof prefix - 1);
  (void)!::write(2, current, std::strlen(current));
  (void)!::write(2, "\n", 1);
  ::_exit(1);
}

bool read_file(const std::filesystem::path& path, std::vector<std::uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

int main(int argc, char** argv) {
  unsigned timeout = 25;
  std::vector<std::filesystem::path> inputs;
  std::size_t directories = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--timeout=", 0) == 0) {
      timeout = static_cast<unsigned>(std::strtoul(arg.c_str() + 10, nullptr, 10));
      continue;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      ++directories;
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      if (ec) {
        std::fprintf(stderr, "replay: cannot list %s: %s\n", arg.c_str(), ec.message().c_str());
        return 2;
      }
      std::sort(files.begin(), files.end());
      inputs.insert(inputs.end(), files.begin(), files.end());
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      inputs.emplace_back(arg);
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", arg.c_str());
      return 2;
    }
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "usage: %s [--timeout=SECONDS] DIR_OR_FILE... (and at least one input)\n",
                 argv[0]);
    return 2;
  }

  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  ::signal(SIGALRM, on_alarm);

  const auto started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration slowest{};
  std::string slowest_name;
  for (const std::filesystem::path& path : inputs) {
    std::vector<std::uint8_t> bytes;
    if (!read_file(path, bytes)) {
      std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
      return 2;
    }
    std::snprintf(current, sizeof current, "%s", path.c_str());
    std::printf("replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
    std::fflush(stdout);
    // An exactly-sized copy, as libFuzzer gives, so that ASan sees a read past the end.
    const std::unique_ptr<std::uint8_t[]> data(new std::uint8_t[bytes.size()]);
    std::copy(bytes.begin(), bytes.end(), data.get());
    const auto t0 = std::chrono::steady_clock::now();
    ::alarm(timeout);
    (void)LLVMFuzzerTestOneInput(data.get(), bytes.size());
    ::alarm(0);
    const auto took = std::chrono::steady_clock::now() - t0;
    if (took > slowest) {
      slowest = took;
      slowest_name = path.string();
    }
  }
  using ms = std::chrono::milliseconds;
  std::printf(
      "replay: %zu inputs from %zu directories in %lld ms (slowest %lld ms: %s)\n", inputs.size(),
      directories,
      static_cast<long long>(
          std::chrono::duration_cast<ms>(std::chrono::steady_clock::now() - started).count()),
      static_cast<long long>(std::chrono::duration_cast<ms>(slowest).count()),
      slowest_name.c_str());
  return 0;
}
