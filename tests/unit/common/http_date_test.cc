#include "common/http_date.h"

#include <gtest/gtest.h>

namespace opsync {
namespace {

using namespace std::chrono;

const system_clock::time_point kNow = sys_days{year{2026} / 11 / 22} + 10h;
const system_clock::time_point k1994 = sys_days{year{1994} / 11 / 6} + 8h + 49min + 37s;

TEST(HttpDate, ThreeFormatsOfRfc9110) {
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT", kNow), k1994);
  EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", kNow), k1994);
  EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994", kNow), k1994);
  EXPECT_EQ(parse_http_date("Sun Nov 16 08:49:37 1994", kNow), k1994 + days{10});
}

TEST(HttpDate, TwoDigitYearWithinFiftyYears) {
  // From 2026, "76" is 2076 (50 years ahead) and "77" is 1977.
  EXPECT_EQ(parse_http_date("Sunday, 01-Jan-76 00:00:00 GMT", kNow), sys_days{year{2076} / 1 / 1});
  EXPECT_EQ(parse_http_date("Saturday, 01-Jan-77 00:00:00 GMT", kNow),
            sys_days{year{1977} / 1 / 1});
  EXPECT_EQ(parse_http_date("Monday, 23-Nov-26 00:00:00 GMT", kNow),
            sys_days{year{2026} / 11 / 23});
}

TEST(HttpDate, Rejects) {
  for (const char* bad : {"", "GMT", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
                          "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                          "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 6 Nov 1994 08:49:37 GMT",
                          "Sun, 06 Nov 1994 08:49:37 GMT trailing", "120", "Sun Nov  6 1994"}) {
    EXPECT_EQ(parse_http_date(bad, kNow), std::nullopt) << bad;
  }
}

TEST(HttpDate, FormatRoundTrips) {
  EXPECT_EQ(format_http_date(k1994), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(format_http_date(k1994 + 900ms), "Sun, 06 Nov 1994 08:49:37 GMT");
  for (auto t = kNow; t < kNow + days{400}; t += hours{37} + seconds{13}) {
    const auto parsed = parse_http_date(format_http_date(t), kNow);
    ASSERT_TRUE(parsed) << format_http_date(t);
    EXPECT_EQ(*parsed, floor<seconds>(t));
  }
}

}  // namespace
}  // namespace opsync
