// libFuzzer target for the configuration loader: parse_config on any text must return a Config or
// throw ConfigError (listing the problems). Anything else escaping, a crash, a hang or a sanitizer
// report is a finding. Connector entries go through the built-in registry's checks, as in opsyncd.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "config/config.h"
#include "framework/registry.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Relative `X_file` secrets resolve here; ${VAR} sees a known variable and an unset one.
  ::setenv("CREDENTIALS_DIRECTORY", "/nonexistent-opsync-fuzz", 1);
  ::setenv("OPSYNC_FUZZ_VAR", "value", 1);
  ::unsetenv("OPSYNC_FUZZ_UNSET");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  try {
    const opsync::Config config = opsync::parse_config(yaml, "/etc/opsync/fuzz.yaml",
                                                       opsync::builtin_connectors().config_check());
    // What the loader promises about a valid configuration.
    if (config.kafka.brokers.empty() || config.kafka.topic == config.kafka.dead_letter_topic) {
      std::fprintf(stderr, "parse_config accepted a configuration that breaks its contract\n");
      std::abort();
    }
  } catch (const opsync::ConfigError& e) {
    if (std::string_view(e.what()).empty()) {
      std::fprintf(stderr, "ConfigError without a message\n");
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "parse_config let a non-ConfigError escape: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "parse_config let a non-std exception escape\n");
    std::abort();
  }
  return 0;
}
