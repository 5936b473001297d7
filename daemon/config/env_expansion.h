#pragma once
// `${VAR}` references in configuration values.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace opsync {

/// Looks up an environment variable; nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The process environment (getenv).
[[nodiscard]] EnvLookup process_env();

struct Expansion {
  std::string value;
  /// Empty on success. May name a variable; never quotes the text or any variable's value.
  std::string error;
  /// True when the text held at least one `${...}` reference.
  bool used_variables = false;

  [[nodiscard]] bool ok() const noexcept { return error.empty(); }
};

/// Expands, in one pass, `${NAME}` (an error when NAME is unset; empty when set to empty) and
/// `${NAME:-default}` (default when NAME is unset or empty; the default is literal text up to the
/// first `}`). NAME is `[A-Za-z_][A-Za-z0-9_]*`. `$${` stands for a literal `${`; any other `$` is
/// literal. Expanded values are never expanded again.
[[nodiscard]] Expansion expand_variables(std::string_view text, const EnvLookup& lookup);

}  // namespace opsync
