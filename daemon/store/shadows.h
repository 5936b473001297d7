#pragma once
// What each vendor has acknowledged, per (connector instance, operator): the shadow (the fields
// it last accepted, the base of the next diff) and the vendor's own id for the operator.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "store/sqlite.h"

namespace opsync {

class Shadows {
 public:
  explicit Shadows(sqlite::Connection& db);
  Shadows(const Shadows&) = delete;
  Shadows& operator=(const Shadows&) = delete;

  std::optional<boost::json::object> load(const std::string& connector,
                                          const std::string& operator_id);
  void save(const std::string& connector, const std::string& operator_id,
            const boost::json::object& fields, std::int64_t now_ms);
  void remove(const std::string& connector, const std::string& operator_id);

  std::optional<std::string> load_vendor_id(const std::string& connector,
                                            const std::string& operator_id);
  void save_vendor_id(const std::string& connector, const std::string& operator_id,
                      const std::string& vendor_id);
  /// Forgets the vendor id of (connector, operator) (the vendor no longer has it).
  void forget_vendor_id(const std::string& connector, const std::string& operator_id);
  /// The operator `connector` knows as `vendor_id`, if any.
  std::optional<std::string> operator_for_vendor_id(const std::string& connector,
                                                    const std::string& vendor_id);

 private:
  sqlite::Statement load_, save_, remove_, load_vendor_id_, save_vendor_id_, forget_vendor_id_,
      operator_for_vendor_id_;
};

}  // namespace opsync
