#pragma once
// Starts and stops the real Apache Kafka broker of tests/e2e/kafka/broker.sh.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace opsync::testing {

class KafkaBroker {
 public:
  explicit KafkaBroker(std::string workdir) : workdir_(std::move(workdir)) {}
  ~KafkaBroker() { run("kill"); }

  /// Starts the broker (formatting storage the first time) and returns its bootstrap address.
  /// On failure the test fails with broker.sh's explanation: it never passes silently.
  std::string start() {
    std::string out;
    int rc = run("start", &out);
    if (rc != 0 || out.empty()) {
      ADD_FAILURE() << "the real Kafka broker could not be started (broker.sh exit " << rc << "):\n"
                    << out << read_file(workdir_ + "/broker-start.err");
      return {};
    }
    bootstrap_ = out.substr(0, out.find_last_not_of("\n") + 1);
    bootstrap_ = bootstrap_.substr(bootstrap_.find_last_of('\n') + 1);
    return bootstrap_;
  }
  void stop() { run("stop"); }
  const std::string& bootstrap() const { return bootstrap_; }

 private:
  // Only standard output is read: it holds the bootstrap address alone. What broker.sh and the
  // tools it runs write to standard error (Maven's progress, and on a first run the ANSI resets
  // Maven writes even in batch mode) goes to a file, shown only if the start fails.
  int run(const std::string& cmd, std::string* output = nullptr) {
    std::error_code ignored;
    std::filesystem::create_directories(workdir_, ignored);
    std::string line = std::string(OPSYNC_BROKER_SCRIPT) + " " + cmd + " '" + workdir_ + "' 2>'" +
                       workdir_ + "/broker-" + cmd + ".err'";
    FILE* p = ::popen(line.c_str(), "r");
    if (!p) return -1;
    std::array<char, 512> buf{};
    std::string out;
    while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
    int status = ::pclose(p);
    if (output) *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  static std::string read_file(const std::string& path) {
    std::string out;
    if (FILE* f = std::fopen(path.c_str(), "r")) {
      std::array<char, 512> buf{};
      while (std::fgets(buf.data(), buf.size(), f)) out += buf.data();
      std::fclose(f);
    }
    return out;
  }

  std::string workdir_;
  std::string bootstrap_;
};

}  // namespace opsync::testing
