#include "store/json_column.h"

#include <boost/json/parse.hpp>

#include "store/sqlite.h"

namespace opsync::store_json {
namespace json = boost::json;

json::object parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) throw sqlite::SqliteError(0, "corrupt JSON in the state store");
  return std::move(v.as_object());
}

std::vector<MessageHeader> headers_from_json(std::string_view text) {
  std::vector<MessageHeader> out;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& item : v.as_array()) {
    const auto* pair = item.if_array();
    if (!pair || pair->size() != 2 || !(*pair)[0].is_string() || !(*pair)[1].is_string()) continue;
    out.push_back({std::string((*pair)[0].as_string()), std::string((*pair)[1].as_string())});
  }
  return out;
}

}  // namespace opsync::store_json
