#pragma once
// The documentation side of a Schema: one row per key, rendered as Markdown for the docs.

#include <string>
#include <string_view>
#include <vector>

namespace opsync {

enum class Presence { optional, required };

struct KeyDoc;
using SchemaDoc = std::vector<KeyDoc>;

/// What a reader of the documentation needs to know about one key.
struct KeyDoc {
  std::string name;
  std::string type;  ///< e.g. `string`, `duration`, `list of strings`, `mapping`
  Presence presence = Presence::optional;
  std::string default_text;  ///< plain text of the default value; empty when there is none
  std::string description;
  bool secret = false;                ///< the key may also be given as `<name>_file`
  const SchemaDoc* nested = nullptr;  ///< the keys of a nested mapping
};

/// A Markdown table `| Key | Type | Default | Description |`, one row per key, each name
/// prefixed with `prefix` (e.g. `kafka.`). With `recurse`, each nested mapping's keys follow its
/// row, prefixed with its name. Documentation pages embed this text verbatim, and tests compare
/// it with the page, so the page and the schema cannot drift apart.
[[nodiscard]] std::string render_markdown(const SchemaDoc& doc, std::string_view prefix = {},
                                          bool recurse = false);

}  // namespace opsync
