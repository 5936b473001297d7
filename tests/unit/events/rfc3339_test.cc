#include "events/rfc3339.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace opsync {
namespace {

struct TimeCase {
  std::string text;
  std::int64_t ms;
};

TEST(Rfc3339, ParsesValidTimes) {
  const TimeCase cases[] = {
      {"2026-11-22T10:15:00Z", 1795342500000},
      {"2026-11-22T12:15:00.250+02:00", 1795342500250},
      {"2026-11-22T12:15:00.25+02:00", 1795342500250},
      {"2026-11-22T12:15:00.2509999+02:00", 1795342500250},
      {"2026-11-22t10:15:00z", 1795342500000},
      {"2026-11-22 10:15:00Z", 1795342500000},
      {"1970-01-01T00:00:00Z", 0},
      {"1970-01-01T00:00:00+00:00", 0},
      {"1970-01-01T00:00:00-00:00", 0},
      {"1969-12-31T23:59:59Z", -1000},
      {"2024-02-29T23:59:59.999-05:30", 1709270999999},
      {"2000-03-01T00:00:00Z", 951868800000},
      {"2016-12-31T23:59:60Z", 1483228800000},  // leap second: the next minute's first second
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto ms = parse_rfc3339_ms(c.text);
    ASSERT_TRUE(ms.has_value());
    EXPECT_EQ(*ms, c.ms);
  }
}

TEST(Rfc3339, RejectsInvalidTimes) {
  const std::string cases[] = {
      "",
      "2026-11-22",
      "2026-11-22T10:15:00",        // no offset
      "2026-11-22T10:15Z",          // no seconds
      "2026-11-22T10:15:00.Z",      // empty fraction
      "2026-11-22T10:15:00+0200",   // offset without colon
      "2026-11-22T10:15:00+02",     // short offset
      "2026-11-22T10:15:00+24:00",  // offset hour out of range
      "2026-11-22T10:15:00+02:60",  // offset minute out of range
      "2026-13-01T00:00:00Z",       // month
      "2026-00-01T00:00:00Z",       // month
      "2026-02-29T00:00:00Z",       // not a leap year
      "2026-04-31T00:00:00Z",       // April has 30 days
      "2026-11-22T24:00:00Z",       // hour
      "2026-11-22T10:60:00Z",       // minute
      "2026-11-22T10:15:61Z",       // second
      "2026-11-22T10:15:00ZZ",      // trailing garbage
      "2026-11-22T10:15:00Z ",      // trailing space
      "26-11-22T10:15:00Z",         // two-digit year
      "2026/11/22T10:15:00Z",       // separators
      "2026-11-22X10:15:00Z",       // date-time separator
      "+2026-11-22T10:15:00Z",      // sign
      "2026-1a-22T10:15:00Z",       // letter in a number
      "2026-11-22T10:15:00.123456789012345678901234567890123456789012345Z",  // absurdly long
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(parse_rfc3339_ms(c).has_value()) << c;
  }
}

TEST(Rfc3339, FormatsUtcWithMillisecondsAndReadsItBack) {
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339_ms(*parse_rfc3339_ms("2028-02-29T23:59:58.250Z")),
            "2028-02-29T23:59:58.250Z");
  for (std::int64_t ms : {std::int64_t{951'782'400'000}, std::int64_t{1'795'000'123'456},
                          std::int64_t{-86'400'001}, std::int64_t{253'402'300'799'999}}) {
    EXPECT_EQ(parse_rfc3339_ms(format_rfc3339_ms(ms)), ms) << ms;
  }
}

}  // namespace
}  // namespace opsync
