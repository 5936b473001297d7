#include "config/schema_doc.h"

namespace opsync {
namespace {

std::string escape_cell(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '|') out += '\\';
    out += (c == '\n') ? ' ' : c;
  }
  return out;
}

void render_rows(const SchemaDoc& doc, const std::string& prefix, bool recurse, std::string& out) {
  for (const KeyDoc& key : doc) {
    const std::string name = prefix + key.name;
    out += "| `" + name + '`';
    if (key.secret) out += " (or `" + key.name + "_file`)";
    out += " | " + escape_cell(key.type) + " | ";
    if (key.presence == Presence::required) {
      out += "required";
    } else if (key.nested != nullptr) {
      out += "";
    } else if (key.default_text.empty()) {
      out += "none";
    } else {
      out += '`' + escape_cell(key.default_text) + '`';
    }
    out += " | " + escape_cell(key.description) + " |\n";
    if (recurse && key.nested != nullptr) render_rows(*key.nested, name + '.', recurse, out);
  }
}

}  // namespace

std::string render_markdown(const SchemaDoc& doc, std::string_view prefix, bool recurse) {
  std::string out = "| Key | Type | Default | Description |\n|---|---|---|---|\n";
  render_rows(doc, std::string(prefix), recurse, out);
  return out;
}

}  // namespace opsync
