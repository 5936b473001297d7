#pragma once
// A strict line-by-line checker for the Prometheus text exposition format (version 0.0.4), for
// tests: stricter than Prometheus itself (no blank lines, no free comments, no timestamps, every
// family typed and documented) so anything it accepts a real scraper accepts too.

#include <string>
#include <string_view>
#include <vector>

namespace opsync::metrics::test {

/// One parsed sample line.
struct ParsedSample {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;  ///< unescaped values, in line order
  double value = 0;
};

struct ExpositionCheck {
  std::vector<std::string> problems;  ///< each names the line number; empty when valid
  std::vector<ParsedSample> samples;
};

ExpositionCheck check_exposition(std::string_view text);

/// The value of the sample with this name and exactly these labels, or NaN if absent.
double sample_value(const ExpositionCheck& check, std::string_view name,
                    const std::vector<std::pair<std::string, std::string>>& labels = {});

}  // namespace opsync::metrics::test
