#pragma once
// Golden files for the iAdvize tests: JSON compared by value. With OPSYNC_UPDATE_GOLDEN=1 in the
// environment a mismatching (or missing) file is rewritten instead, for review in the diff.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace opsync::test {

inline std::string golden_path(const std::string& name) {
  return std::string(IADVIZE_GOLDEN_DIR) + "/" + name;
}

inline boost::json::value read_golden(const std::string& name) {
  std::ifstream in(golden_path(name));
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text.str(), ec);
  return ec ? boost::json::value() : v;
}

inline void pretty(std::ostream& os, const boost::json::value& v, int indent = 0) {
  const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
  const std::string end(static_cast<std::size_t>(indent), ' ');
  if (v.is_object() && !v.as_object().empty()) {
    os << "{\n";
    bool first = true;
    for (const auto& [k, item] : v.as_object()) {
      os << (first ? "" : ",\n") << pad << boost::json::serialize(boost::json::string(k)) << ": ";
      pretty(os, item, indent + 2);
      first = false;
    }
    os << "\n" << end << "}";
  } else if (v.is_array() && !v.as_array().empty()) {
    os << "[\n";
    bool first = true;
    for (const auto& item : v.as_array()) {
      os << (first ? "" : ",\n") << pad;
      pretty(os, item, indent + 2);
      first = false;
    }
    os << "\n" << end << "]";
  } else {
    os << boost::json::serialize(v);
  }
}

/// Expects `actual` to equal the golden file `name` (relative to golden/).
inline void expect_golden(const std::string& name, const boost::json::value& actual) {
  const boost::json::value expected = read_golden(name);
  if (expected == actual) return;
  if (const char* update = std::getenv("OPSYNC_UPDATE_GOLDEN"); update && *update == '1') {
    std::ofstream out(golden_path(name));
    pretty(out, actual);
    out << "\n";
    return;
  }
  ADD_FAILURE() << "golden " << name << " differs\nexpected: " << boost::json::serialize(expected)
                << "\nactual:   " << boost::json::serialize(actual);
}

}  // namespace opsync::test
