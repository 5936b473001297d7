#include "events/strict_json.h"

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/value_stack.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "events/field_paths.h"

namespace opsync {
namespace {

namespace json = boost::json;
using json::error_code;
using json::string_view;

/// The basic_parser handler of json::parser (a value_stack), plus the keys of each open object.
class StrictHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;

  StrictHandler(unsigned char* temp, std::size_t size) : st({}, temp, size) {}

  /// The first duplicate found, as a path; empty if none.
  const std::string& duplicate_path() const { return duplicate_path_; }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_object_begin(error_code&) {
    levels_.push_back({true, keys_.size(), 0});
    return true;
  }
  bool on_object_end(std::size_t n, error_code&) {
    st.push_object(n);
    if (duplicate_path_.empty()) check_duplicates();
    const Level& level = levels_.back();
    if (level.first_key < keys_.size()) {
      key_bytes_.resize(keys_[level.first_key].offset);
      keys_.resize(level.first_key);
    }
    levels_.pop_back();
    value_done();
    return true;
  }
  bool on_array_begin(error_code&) {
    levels_.push_back({false, keys_.size(), 0});
    return true;
  }
  bool on_array_end(std::size_t n, error_code&) {
    st.push_array(n);
    levels_.pop_back();
    value_done();
    return true;
  }

  bool on_key_part(string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    if (!in_key_) {
      in_key_ = true;
      key_start_ = key_bytes_.size();
    }
    key_bytes_.insert(key_bytes_.end(), s.begin(), s.end());
    return true;
  }
  bool on_key(string_view s, std::size_t, error_code&) {
    st.push_key(s);
    if (!in_key_) key_start_ = key_bytes_.size();
    in_key_ = false;
    key_bytes_.insert(key_bytes_.end(), s.begin(), s.end());
    keys_.push_back({key_start_, key_bytes_.size() - key_start_});
    return true;
  }

  bool on_string_part(string_view s, std::size_t, error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(string_view s, std::size_t, error_code&) {
    st.push_string(s);
    return value_done();
  }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t i, string_view, error_code&) {
    st.push_int64(i);
    return value_done();
  }
  bool on_uint64(std::uint64_t u, string_view, error_code&) {
    st.push_uint64(u);
    return value_done();
  }
  bool on_double(double d, string_view, error_code&) {
    st.push_double(d);
    return value_done();
  }
  bool on_bool(bool b, error_code&) {
    st.push_bool(b);
    return value_done();
  }
  bool on_null(error_code&) {
    st.push_null();
    return value_done();
  }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

  void set_root_path(std::string_view root) { root_path_ = root; }

 private:
  struct Level {
    bool object;
    std::size_t first_key;  ///< this object's keys are keys_[first_key..]
    std::size_t index;      ///< in an array: the index of the element being parsed
  };
  struct Key {
    std::size_t offset;
    std::size_t size;
  };

  /// A value of the innermost container is complete: an array moves on to its next index.
  bool value_done() {
    if (!levels_.empty() && !levels_.back().object) ++levels_.back().index;
    return true;
  }

  std::string_view key(std::size_t i) const {
    return std::string_view(key_bytes_.data() + keys_[i].offset, keys_[i].size);
  }

  /// Called at the end of the innermost object, while its keys are still the last of keys_.
  void check_duplicates() {
    const std::size_t first = levels_.back().first_key;
    const std::size_t count = keys_.size() - first;
    if (count < 2) return;
    std::size_t found = count;  // index (from first) of a repeated key
    if (count <= 16) {
      for (std::size_t i = 1; i < count && found == count; ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          if (key(first + i) == key(first + j)) {
            found = i;
            break;
          }
        }
      }
    } else {
      std::vector<std::size_t> order(count);
      for (std::size_t i = 0; i < count; ++i) order[i] = first + i;
      std::sort(order.begin(), order.end(),
                [this](std::size_t a, std::size_t b) { return key(a) < key(b); });
      for (std::size_t i = 1; i < count; ++i) {
        if (key(order[i]) == key(order[i - 1])) {
          found = std::max(order[i], order[i - 1]) - first;
          break;
        }
      }
    }
    if (found == count) return;
    // The path: each enclosing container's member or index, then the repeated key.
    std::string path(root_path_);
    const auto append_key = [&path](std::string_view k) {
      if (!path.empty()) path += '.';
      path += path_segment(k);
    };
    for (std::size_t l = 0; l + 1 < levels_.size(); ++l) {
      if (levels_[l].object) {
        append_key(key(levels_[l + 1].first_key - 1));
      } else {
        if (path.empty()) path = "event";
        path += '[' + std::to_string(levels_[l].index) + ']';
      }
    }
    append_key(key(first + found));
    duplicate_path_ = std::move(path);
  }

  // Inline capacity for a typical event (4 levels, a few dozen keys): no allocation per parse.
  boost::container::small_vector<Level, 16> levels_;
  boost::container::small_vector<char, 1024> key_bytes_;  ///< the open objects' keys, back to back
  boost::container::small_vector<Key, 64> keys_;
  bool in_key_ = false;
  std::size_t key_start_ = 0;
  std::string root_path_;
  std::string duplicate_path_;
};

}  // namespace

StrictParse parse_strict(std::string_view text, json::storage_ptr storage,
                         const json::parse_options& options, std::string_view root_path) {
  alignas(std::max_align_t) unsigned char temp[2048];
  json::basic_parser<StrictHandler> parser(options, temp, sizeof temp);
  parser.handler().set_root_path(root_path);
  parser.handler().st.reset(std::move(storage));
  StrictParse result;
  const std::size_t n = parser.write_some(false, text.data(), text.size(), result.error);
  if (!result.error && n < text.size()) result.error = json::error::extra_data;
  if (result.error) return result;
  if (!parser.handler().duplicate_path().empty()) {
    result.duplicate = true;
    result.duplicate_path = parser.handler().duplicate_path();
    return result;
  }
  result.value = parser.handler().st.release();
  return result;
}

}  // namespace opsync
