#pragma once
// Starts and stops the real Apache Kafka broker of tests/e2e/kafka/broker.sh.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
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
                    << out;
      return {};
    }
    bootstrap_ = out.substr(0, out.find_last_not_of("\n") + 1);
    bootstrap_ = bootstrap_.substr(bootstrap_.find_last_of('\n') + 1);
    return bootstrap_;
  }
  void stop() { run("stop"); }
  const std::string& bootstrap() const { return bootstrap_; }

 private:
  int run(const std::string& cmd, std::string* output = nullptr) {
    std::string line = std::string(OPSYNC_BROKER_SCRIPT) + " " + cmd + " '" + workdir_ + "' 2>&1";
    FILE* p = ::popen(line.c_str(), "r");
    if (!p) return -1;
    std::array<char, 512> buf{};
    std::string out;
    while (std::fgets(buf.data(), buf.size(), p)) out += buf.data();
    int status = ::pclose(p);
    if (output) *output = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string workdir_;
  std::string bootstrap_;
};

}  // namespace opsync::testing
