#include "store/shadows.h"

#include <boost/json/serialize.hpp>

#include "store/json_column.h"

namespace opsync {

Shadows::Shadows(sqlite::Connection& db)
    : load_(db.prepare("SELECT fields FROM shadows WHERE connector = ?1 AND operator_id = ?2")),
      save_(db.prepare(
          "INSERT INTO shadows (connector, operator_id, fields, updated_ms) VALUES (?1, ?2, ?3, "
          "?4) "
          "ON CONFLICT (connector, operator_id) DO UPDATE SET fields = excluded.fields, "
          "updated_ms = excluded.updated_ms")),
      remove_(db.prepare("DELETE FROM shadows WHERE connector = ?1 AND operator_id = ?2")),
      load_vendor_id_(db.prepare(
          "SELECT vendor_id FROM id_mappings WHERE connector = ?1 AND operator_id = ?2")),
      save_vendor_id_(db.prepare(
          "INSERT INTO id_mappings (connector, operator_id, vendor_id) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (connector, operator_id) DO UPDATE SET vendor_id = excluded.vendor_id")),
      forget_vendor_id_(
          db.prepare("DELETE FROM id_mappings WHERE connector = ?1 AND operator_id = ?2")),
      operator_for_vendor_id_(
          db.prepare("SELECT operator_id FROM id_mappings WHERE connector = ?1 AND vendor_id = ?2 "
                     "ORDER BY operator_id LIMIT 1")) {}

std::optional<boost::json::object> Shadows::load(const std::string& connector,
                                                 const std::string& operator_id) {
  auto& s = load_;
  s.bind(1, connector).bind(2, operator_id);
  std::optional<boost::json::object> out;
  if (s.step()) out = store_json::parse_object(s.column_view(0));
  s.reset();
  return out;
}

void Shadows::save(const std::string& connector, const std::string& operator_id,
                   const boost::json::object& fields, std::int64_t now_ms) {
  save_.bind(1, connector)
      .bind(2, operator_id)
      .bind(3, boost::json::serialize(fields))
      .bind(4, now_ms)
      .run();
}

void Shadows::remove(const std::string& connector, const std::string& operator_id) {
  remove_.bind(1, connector).bind(2, operator_id).run();
}

std::optional<std::string> Shadows::load_vendor_id(const std::string& connector,
                                                   const std::string& operator_id) {
  auto& s = load_vendor_id_;
  s.bind(1, connector).bind(2, operator_id);
  std::optional<std::string> out;
  if (s.step()) out = s.column_text(0);
  s.reset();
  return out;
}

void Shadows::save_vendor_id(const std::string& connector, const std::string& operator_id,
                             const std::string& vendor_id) {
  save_vendor_id_.bind(1, connector).bind(2, operator_id).bind(3, vendor_id).run();
}

void Shadows::forget_vendor_id(const std::string& connector, const std::string& operator_id) {
  forget_vendor_id_.bind(1, connector).bind(2, operator_id).run();
}

std::optional<std::string> Shadows::operator_for_vendor_id(const std::string& connector,
                                                           const std::string& vendor_id) {
  auto& s = operator_for_vendor_id_;
  s.bind(1, connector).bind(2, vendor_id);
  std::optional<std::string> out;
  if (s.step()) out = s.column_text(0);
  s.reset();
  return out;
}

}  // namespace opsync
