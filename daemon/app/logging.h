#pragma once

#include <spdlog/formatter.h>
#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace opsync {

/// The formatter of every opsyncd log line: `format` is "logfmt" or "json"; with `journald`
/// lines carry no timestamp (the journal adds its own).
std::unique_ptr<spdlog::formatter> make_log_formatter(const std::string& format, bool journald);

/// A logger named "opsyncd" writing to `sink` through make_log_formatter, at `level` (a spdlog
/// level name).
std::shared_ptr<spdlog::logger> make_logger(spdlog::sink_ptr sink, const std::string& level,
                                            const std::string& format, bool journald);

/// Configures spdlog's default logger on stderr: `format` is "logfmt" or "json"; `level` a spdlog
/// level name. Under journald (JOURNAL_STREAM set) lines carry no timestamp: the journal adds its
/// own.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace opsync
