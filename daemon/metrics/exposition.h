#pragma once
// The pieces of the Prometheus text exposition format (version 0.0.4) that the registry writes:
// name checks, escaping and number formatting. Pure functions, usable by tests and by callers that
// build label values.

#include <string>
#include <string_view>

namespace opsync::metrics {

/// The Content-Type of render()'s output.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
bool valid_metric_name(std::string_view name);
/// `[a-zA-Z_][a-zA-Z0-9_]*`, and not starting with `__` (reserved).
bool valid_label_name(std::string_view name);

/// Appends `value` escaped for a label value: `\` → `\\`, `"` → `\"`, newline → `\n`.
void append_label_value(std::string& out, std::string_view value);
/// Appends `text` escaped for a HELP line: `\` → `\\`, newline → `\n`.
void append_help_text(std::string& out, std::string_view text);
/// Appends a sample value: the shortest decimal that reads back as `value`, or `+Inf`, `-Inf`,
/// `NaN`.
void append_value(std::string& out, double value);

}  // namespace opsync::metrics
