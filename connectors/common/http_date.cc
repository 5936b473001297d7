#include "common/http_date.h"

#include <array>
#include <cstdio>

namespace opsync {

namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

/// A forward-only cursor over the header value; every method returns false on a mismatch.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  bool literal(std::string_view lit) {
    if (s_.substr(0, lit.size()) != lit) return false;
    s_.remove_prefix(lit.size());
    return true;
  }
  bool spaces(std::size_t min = 1) {
    std::size_t n = 0;
    while (n < s_.size() && s_[n] == ' ') ++n;
    s_.remove_prefix(n);
    return n >= min;
  }
  /// Exactly `digits` decimal digits.
  bool number(int digits, int& out) {
    if (s_.size() < static_cast<std::size_t>(digits)) return false;
    int v = 0;
    for (int i = 0; i < digits; ++i) {
      const char c = s_[static_cast<std::size_t>(i)];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    s_.remove_prefix(static_cast<std::size_t>(digits));
    out = v;
    return true;
  }
  bool month(int& out) {
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
      if (literal(kMonths[i])) {
        out = static_cast<int>(i) + 1;
        return true;
      }
    }
    return false;
  }
  /// A day name: three letters, optionally the rest of the long name (RFC 850).
  bool day_name() {
    std::size_t n = 0;
    while (n < s_.size() && ((s_[n] >= 'A' && s_[n] <= 'Z') || (s_[n] >= 'a' && s_[n] <= 'z'))) {
      ++n;
    }
    if (n < 3) return false;
    s_.remove_prefix(n);
    return true;
  }
  bool time_of_day(int& h, int& m, int& s) {
    return number(2, h) && literal(":") && number(2, m) && literal(":") && number(2, s);
  }
  bool at_end() {
    spaces(0);
    return s_.empty();
  }

 private:
  std::string_view s_;
};

std::optional<system_clock::time_point> make_time(int y, int mo, int d, int h, int mi, int s) {
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  // Years outside 1678..2261 overflow system_clock's nanoseconds. s == 60: a leap second.
  if (!ymd.ok() || y < 1678 || y > 2261 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
}

}  // namespace

std::optional<system_clock::time_point> parse_http_date(std::string_view text,
                                                        system_clock::time_point now) {
  Cursor c(text);
  c.spaces(0);
  if (!c.day_name()) return std::nullopt;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (c.literal(",")) {
    if (!c.spaces()) return std::nullopt;
    Cursor imf = c;  // try IMF-fixdate first, then RFC 850 from the same position
    if (imf.number(2, d) && imf.spaces() && imf.month(mo) && imf.spaces() && imf.number(4, y) &&
        imf.spaces() && imf.time_of_day(h, mi, s) && imf.spaces() && imf.literal("GMT") &&
        imf.at_end()) {
      return make_time(y, mo, d, h, mi, s);
    }
    int yy = 0;
    if (c.number(2, d) && c.literal("-") && c.month(mo) && c.literal("-") && c.number(2, yy) &&
        c.spaces() && c.time_of_day(h, mi, s) && c.spaces() && c.literal("GMT") && c.at_end()) {
      // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
      const int current = static_cast<int>(year_month_day{floor<days>(now)}.year());
      y = (current / 100) * 100 + yy;
      if (y > current + 50) y -= 100;
      return make_time(y, mo, d, h, mi, s);
    }
    return std::nullopt;
  }
  // asctime: "Sun Nov  6 08:49:37 1994" (day padded with a space, or two digits).
  if (!c.spaces() || !c.month(mo) || !c.spaces()) return std::nullopt;
  if (!c.number(2, d) && !c.number(1, d)) return std::nullopt;
  if (c.spaces() && c.time_of_day(h, mi, s) && c.spaces() && c.number(4, y) && c.at_end()) {
    return make_time(y, mo, d, h, mi, s);
  }
  return std::nullopt;
}

std::string format_http_date(system_clock::time_point t) {
  const auto secs = floor<seconds>(t);
  const auto dp = floor<days>(secs);
  const year_month_day ymd{dp};
  const hh_mm_ss<seconds> tod{secs - dp};
  const weekday wd{dp};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                kDays[wd.c_encoding()].data(), static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1].data(),
                static_cast<int>(ymd.year()), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()));
  return buf;
}

}  // namespace opsync
