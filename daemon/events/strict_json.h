#pragma once
// JSON parsing that refuses what two readers may read differently: a member name repeated in one
// object, at any depth. Boost.JSON's own parse keeps the last of them; another consumer of the same
// bytes may keep the first, so an event with duplicate keys is rejected (`duplicate_key`) instead.

#include <boost/json/parse_options.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <system_error>

namespace opsync {

struct StrictParse {
  boost::json::value value;         ///< null when `error` or `duplicate` is set
  boost::system::error_code error;  ///< the syntax error (as json::parse reports it), if any
  bool duplicate = false;           ///< a key repeats in one object (only if no syntax error)
  std::string duplicate_path;       ///< where: "data.attributes.email", "ext[1].x"
};

/// Parses `text` in one pass, building the value into `storage` and tracking the keys of every
/// open object. A syntax error wins over a duplicate key. `root_path` prefixes paths ("data" for
/// a binary-mode value); empty for a structured event, whose members are named as they are
/// ("id", "data.operator_id"). Keys in paths are rendered by path_segment (field_paths.h).
/// Duplicates are found in O(n log n) per object of n members, so a huge object costs no more
/// than sorting its keys. Throws only std::bad_alloc.
StrictParse parse_strict(std::string_view text, boost::json::storage_ptr storage,
                         const boost::json::parse_options& options, std::string_view root_path);

}  // namespace opsync
