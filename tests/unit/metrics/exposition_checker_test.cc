// The checker must reject what a scraper would reject, or its approval of render() means nothing.

#include "exposition_checker.h"

#include <gtest/gtest.h>

namespace opsync::metrics::test {
namespace {

bool valid(std::string_view text) {
  return check_exposition(text).problems.empty();
}

TEST(ExpositionChecker, AcceptsAWellFormedFamily) {
  EXPECT_TRUE(valid("# HELP a_total Things.\n# TYPE a_total counter\na_total{x=\"1\"} 3\n"));
}

TEST(ExpositionChecker, RejectsMalformedLines) {
  EXPECT_FALSE(valid("# TYPE a_total counter\na_total 1\n"));                 // no HELP
  EXPECT_FALSE(valid("# HELP a h\na 1\n"));                                   // no TYPE
  EXPECT_FALSE(valid("# HELP a h\n# TYPE a gauge\na 1"));                     // no newline
  EXPECT_FALSE(valid("# HELP a h\n# TYPE a gauge\na{x=\"1\\t\"} 1\n"));       // bad escape
  EXPECT_FALSE(valid("# HELP a h\n# TYPE a gauge\na{x=\"1} 1\n"));            // open quote
  EXPECT_FALSE(valid("# HELP a h\n# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n"));  // dup label
  EXPECT_FALSE(valid("# HELP a h\n# TYPE a gauge\na 1\na 2\n"));              // dup series
  EXPECT_FALSE(valid("# HELP a h\n# TYPE a gauge\na  1\n"));                  // two spaces
  EXPECT_FALSE(valid("# HELP a h\n# TYPE a gauge\na one\n"));                 // bad value
  EXPECT_FALSE(valid("# HELP a h\n# TYPE a gauge\na 1 1700000000\n"));        // timestamp
  EXPECT_FALSE(valid("# HELP a h\n# TYPE a gauge\n\na 1\n"));                 // blank
  EXPECT_FALSE(valid("# HELP a h\n# TYPE a wobble\na 1\n"));                  // type
  EXPECT_FALSE(valid("# HELP a h\n# TYPE a gauge\n# HELP b h\n# TYPE b gauge\na 1\n"));  // block
}

TEST(ExpositionChecker, ChecksHistograms) {
  const std::string head = "# HELP h h\n# TYPE h histogram\n";
  EXPECT_TRUE(valid(head + "h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\n"));
  EXPECT_FALSE(valid(head + "h_bucket{le=\"1\"} 1\nh_sum 3\nh_count 1\n"));  // no +Inf
  EXPECT_FALSE(valid(head + "h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 3\n"));
  EXPECT_FALSE(valid(head + "h_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 3\nh_count 1\n"));
  EXPECT_FALSE(valid(head + "h_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\n"
                            "h_sum 3\nh_count 1\n"));
  EXPECT_FALSE(valid(head + "h_bucket{le=\"+Inf\"} 1\nh_count 1\n"));  // no _sum
  EXPECT_FALSE(valid(head + "h 1\n"));
}

}  // namespace
}  // namespace opsync::metrics::test
