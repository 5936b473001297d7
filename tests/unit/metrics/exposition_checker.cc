#include "exposition_checker.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

namespace opsync::metrics::test {

namespace {

bool is_name_char(char c, bool first, bool colon) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  if (alpha || (colon && c == ':')) return true;
  return !first && c >= '0' && c <= '9';
}

/// Reads a metric (colon = true) or label name at `pos`.
std::optional<std::string> read_name(std::string_view line, std::size_t& pos, bool colon) {
  const std::size_t start = pos;
  while (pos < line.size() && is_name_char(line[pos], pos == start, colon)) ++pos;
  if (pos == start) return std::nullopt;
  return std::string(line.substr(start, pos - start));
}

std::optional<double> read_value(std::string_view text) {
  if (text == "+Inf") return HUGE_VAL;
  if (text == "-Inf") return -HUGE_VAL;
  if (text == "NaN") return std::nan("");
  if (text.empty()) return std::nullopt;
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  // strtod takes "inf", "nan" and hex; the format does not.
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
      return std::nullopt;
    }
  }
  return v;
}

struct FamilyState {
  std::string type;
  bool help = false;
  bool has_samples = false;
  bool closed = false;
};

struct HistogramSeries {
  std::vector<std::pair<double, double>> buckets;  // le, cumulative count
  std::optional<double> sum;
  std::optional<double> count;
  std::size_t line = 0;
};

}  // namespace

ExpositionCheck check_exposition(std::string_view text) {
  ExpositionCheck result;
  auto problem = [&](std::size_t line, const std::string& what) {
    result.problems.push_back("line " + std::to_string(line) + ": " + what);
  };
  if (!text.empty() && text.back() != '\n') problem(0, "text does not end with a newline");

  std::map<std::string, FamilyState> families;
  std::string current_family;
  std::set<std::string> series_seen;
  // histogram family -> label set (without le) -> series
  std::map<std::string, std::map<std::string, HistogramSeries>> histograms;

  std::size_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (line.empty()) {
      problem(number, "blank line");
      continue;
    }
    if (line[0] == '#') {
      const bool help = line.starts_with("# HELP ");
      const bool type = line.starts_with("# TYPE ");
      if (!help && !type) {
        problem(number, "comment that is neither HELP nor TYPE");
        continue;
      }
      std::size_t pos = 7;
      auto name = read_name(line, pos, true);
      if (!name) {
        problem(number, "bad metric name");
        continue;
      }
      auto& family = families[*name];
      if (family.has_samples) problem(number, "HELP or TYPE after samples of " + *name);
      if (current_family != *name) {
        if (!current_family.empty()) families[current_family].closed = true;
        if (family.closed) problem(number, "family " + *name + " is not contiguous");
        current_family = *name;
      }
      if (help) {
        if (family.help) problem(number, "second HELP for " + *name);
        family.help = true;
        if (pos >= line.size() || line[pos] != ' ') {
          problem(number, "HELP without text");
          continue;
        }
        const std::string_view doc = line.substr(pos + 1);
        for (std::size_t i = 0; i < doc.size(); ++i) {
          if (doc[i] != '\\') continue;
          if (i + 1 >= doc.size() || (doc[i + 1] != '\\' && doc[i + 1] != 'n')) {
            problem(number, "bad escape in HELP");
          }
          ++i;
        }
      } else {
        if (!family.type.empty()) problem(number, "second TYPE for " + *name);
        const std::string_view t = pos < line.size() ? line.substr(pos + 1) : "";
        if (t != "counter" && t != "gauge" && t != "histogram" && t != "summary" &&
            t != "untyped") {
          problem(number, "bad TYPE: " + std::string(t));
        }
        family.type = std::string(t);
        if (!family.help) problem(number, "TYPE before HELP (this registry writes HELP first)");
      }
      continue;
    }

    // A sample: name{label="value",...} value
    ParsedSample sample;
    std::size_t pos = 0;
    auto name = read_name(line, pos, true);
    if (!name) {
      problem(number, "bad sample name");
      continue;
    }
    sample.name = *name;
    bool bad = false;
    if (pos < line.size() && line[pos] == '{') {
      ++pos;
      while (!bad && pos < line.size() && line[pos] != '}') {
        if (!sample.labels.empty()) {
          if (line[pos] != ',') {
            bad = true;
            break;
          }
          ++pos;
        }
        auto label = read_name(line, pos, false);
        if (!label || pos + 1 >= line.size() || line[pos] != '=' || line[pos + 1] != '"') {
          bad = true;
          break;
        }
        pos += 2;
        std::string value;
        bool closed = false;
        while (pos < line.size()) {
          const char c = line[pos++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c == '\\') {
            if (pos >= line.size()) break;
            const char e = line[pos++];
            if (e == '\\') {
              value += '\\';
            } else if (e == '"') {
              value += '"';
            } else if (e == 'n') {
              value += '\n';
            } else {
              problem(number, "bad escape in label value");
            }
          } else {
            value += c;
          }
        }
        if (!closed) {
          bad = true;
          break;
        }
        for (const auto& [n, v] : sample.labels) {
          if (n == *label) problem(number, "duplicate label " + n);
        }
        sample.labels.emplace_back(*label, std::move(value));
      }
      if (bad || pos >= line.size()) {
        problem(number, "malformed label set");
        continue;
      }
      ++pos;  // '}'
    }
    if (pos >= line.size() || line[pos] != ' ') {
      problem(number, "no single space before the value");
      continue;
    }
    const std::string_view value_text = line.substr(pos + 1);
    if (value_text.find(' ') != std::string_view::npos) {
      problem(number, "trailing fields (timestamps are not written by this registry)");
      continue;
    }
    const auto value = read_value(value_text);
    if (!value) {
      problem(number, "bad value: " + std::string(value_text));
      continue;
    }
    sample.value = *value;

    // Which family does it belong to?
    std::string family_name = sample.name;
    std::string suffix;
    if (!families.count(family_name) || families[family_name].type.empty()) {
      for (std::string s : {"_bucket", "_sum", "_count"}) {
        if (sample.name.ends_with(s)) {
          const std::string base = sample.name.substr(0, sample.name.size() - s.size());
          if (families.count(base) && families[base].type == "histogram") {
            family_name = base;
            suffix = s;
          }
        }
      }
    }
    auto it = families.find(family_name);
    if (it == families.end() || it->second.type.empty()) {
      problem(number, "sample " + sample.name + " without a TYPE");
      continue;
    }
    FamilyState& family = it->second;
    if (family_name != current_family) problem(number, "sample outside its family's block");
    family.has_samples = true;
    if (family.type == "histogram" && suffix.empty()) {
      problem(number, "histogram sample without _bucket/_sum/_count");
    }
    if (family.type == "counter" && !(sample.value >= 0)) problem(number, "negative counter");

    // Duplicate series.
    auto sorted = sample.labels;
    std::sort(sorted.begin(), sorted.end());
    std::string key = sample.name;
    for (const auto& [n, v] : sorted) key += "\x1f" + n + "=" + v;
    if (!series_seen.insert(key).second) problem(number, "duplicate series " + sample.name);

    if (family.type == "histogram") {
      std::string group;
      std::optional<std::string> le;
      for (const auto& [n, v] : sorted) {
        if (n == "le") {
          le = v;
        } else {
          group += n + "=" + v + "\x1f";
        }
      }
      auto& series = histograms[family_name][group];
      series.line = number;
      if (suffix == "_bucket") {
        if (!le) {
          problem(number, "bucket without le");
        } else if (auto bound = read_value(*le)) {
          if (!series.buckets.empty()) {
            if (!(series.buckets.back().first < *bound)) problem(number, "le not increasing");
            if (series.buckets.back().second > sample.value) {
              problem(number, "bucket counts not cumulative");
            }
          }
          if (series.sum || series.count) problem(number, "bucket after _sum/_count");
          series.buckets.emplace_back(*bound, sample.value);
        } else {
          problem(number, "bad le: " + *le);
        }
      } else if (le) {
        problem(number, "le on " + suffix);
      } else if (suffix == "_sum") {
        series.sum = sample.value;
      } else {
        series.count = sample.value;
      }
    } else {
      for (const auto& [n, v] : sample.labels) {
        if (n == "le" || n.starts_with("__")) problem(number, "reserved label " + n);
      }
    }
    result.samples.push_back(std::move(sample));
  }

  for (const auto& [name, family] : families) {
    if (family.type.empty()) problem(0, "family " + name + " has HELP but no TYPE");
  }
  for (const auto& [name, groups] : histograms) {
    for (const auto& [group, series] : groups) {
      const std::string where = name + " (near line " + std::to_string(series.line) + ")";
      if (series.buckets.empty() || !std::isinf(series.buckets.back().first)) {
        problem(0, where + ": no +Inf bucket");
      } else if (!series.count || series.buckets.back().second != *series.count) {
        problem(0, where + ": +Inf bucket differs from _count");
      }
      if (!series.sum) problem(0, where + ": no _sum");
    }
  }
  return result;
}

double sample_value(const ExpositionCheck& check, std::string_view name,
                    const std::vector<std::pair<std::string, std::string>>& labels) {
  auto wanted = labels;
  std::sort(wanted.begin(), wanted.end());
  for (const auto& s : check.samples) {
    auto have = s.labels;
    std::sort(have.begin(), have.end());
    if (s.name == name && have == wanted) return s.value;
  }
  return std::nan("");
}

}  // namespace opsync::metrics::test
