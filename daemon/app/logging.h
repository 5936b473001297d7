#pragma once

#include <string>

namespace opsync {

/// Configures spdlog's default logger: `format` is "logfmt" or "json"; `level` a spdlog level name.
/// Under journald (JOURNAL_STREAM set) lines carry no timestamp: the journal adds its own.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace opsync
