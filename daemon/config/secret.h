#pragma once
// A secret string (API key, token, password) that refuses to be printed by accident.

#include <fmt/core.h>

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace opsync {

/// Holds a credential. Streaming it (`operator<<`) or formatting it with fmt/spdlog prints `***`,
/// never the value, so a Secret may be logged or appear in a test failure safely. The value is
/// only reachable through reveal(), which should appear where the credential is put on the wire.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  /// The secret value itself. Never log or format the result.
  [[nodiscard]] const std::string& reveal() const noexcept { return value_; }
  [[nodiscard]] bool empty() const noexcept { return value_.empty(); }

  friend bool operator==(const Secret&, const Secret&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "***"; }

 private:
  std::string value_;
};

}  // namespace opsync

template <>
struct fmt::formatter<opsync::Secret> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const opsync::Secret&, FormatContext& ctx) const -> decltype(ctx.out()) {
    return fmt::formatter<std::string_view>::format(std::string_view("***"), ctx);
  }
};
