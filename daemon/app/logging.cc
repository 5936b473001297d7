#include "app/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace opsync {

void setup_logging(const std::string& level, const std::string& format) {
  auto logger = spdlog::stderr_logger_mt("opsyncd");
  const bool journald = std::getenv("JOURNAL_STREAM") != nullptr;
  // Messages are written as logfmt key=value pairs ("event=... operator=..."); the JSON format
  // wraps each in an object so log shippers can parse the envelope.
  if (format == "json") {
    logger->set_pattern(journald ? R"({"level":"%l","msg":"%v"})"
                                 : R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})",
                        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern(journald ? "level=%l %v" : "ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l %v",
                        spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
}

}  // namespace opsync
