#include "config/units.h"

#include <gtest/gtest.h>

namespace opsync {
namespace {

using namespace std::chrono_literals;

TEST(ParseDuration, AcceptsEachUnit) {
  EXPECT_EQ(parse_duration("500ms"), 500ms);
  EXPECT_EQ(parse_duration("10s"), 10s);
  EXPECT_EQ(parse_duration("5m"), 5min);
  EXPECT_EQ(parse_duration("2h"), 2h);
  EXPECT_EQ(parse_duration("7d"), 168h);
  EXPECT_EQ(parse_duration("0"), 0ms);
  EXPECT_EQ(parse_duration("0s"), 0ms);
}

TEST(ParseDuration, AcceptsSums) {
  EXPECT_EQ(parse_duration("1h30m"), 90min);
  EXPECT_EQ(parse_duration("1m500ms"), 60500ms);
}

TEST(ParseDuration, RejectsEverythingElse) {
  for (const char* text : {"", "10", "s", "10 s", " 10s", "10S", "1.5s", "-1s", "+1s", "10sec",
                           "1h30", "5min", "1w", "99999999999999999999ms", "106751991167301d"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << text;
  }
}

TEST(FormatDuration, UsesTheLargestExactUnit) {
  EXPECT_EQ(format_duration(168h), "7d");
  EXPECT_EQ(format_duration(90s), "90s");
  EXPECT_EQ(format_duration(50ms), "50ms");
  EXPECT_EQ(format_duration(10s), "10s");
  EXPECT_EQ(format_duration(0ms), "0s");
  EXPECT_EQ(format_duration(2h), "2h");
}

TEST(ParseByteSize, AcceptsBytesAndBinaryUnits) {
  EXPECT_EQ(parse_byte_size("4096"), 4096u);
  EXPECT_EQ(parse_byte_size("100B"), 100u);
  EXPECT_EQ(parse_byte_size("512KiB"), 512u * 1024);
  EXPECT_EQ(parse_byte_size("1MiB"), 1024u * 1024);
  EXPECT_EQ(parse_byte_size("2GiB"), 2ull << 30);
}

TEST(ParseByteSize, RejectsEverythingElse) {
  for (const char* text : {"", "MiB", "1 MiB", "1MB", "1KB", "1kib", "1.5MiB", "-1", "0x10",
                           "18446744073709551616", "17179869184GiB"}) {
    EXPECT_EQ(parse_byte_size(text), std::nullopt) << text;
  }
}

TEST(FormatByteSize, UsesTheLargestExactUnit) {
  EXPECT_EQ(format_byte_size(1024 * 1024), "1MiB");
  EXPECT_EQ(format_byte_size(512 * 1024), "512KiB");
  EXPECT_EQ(format_byte_size(1536), "1536");
  EXPECT_EQ(format_byte_size(0), "0");
}

}  // namespace
}  // namespace opsync
