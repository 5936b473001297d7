#include "config/schema.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "config/secret_file.h"
#include "config/yaml_nodes.h"

namespace opsync {
namespace {

using config_internal::entries_of;
using config_internal::Entry;
using config_internal::find_entry;
using config_internal::kind_of;

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string suggestion(std::string_view unknown, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, unknown.size() / 4) + 1;
  for (const auto& k : known) {
    const std::size_t d = edit_distance(unknown, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  return best.empty() ? std::string() : "; did you mean '" + best + "'?";
}

// The shared rule for a secret-bearing key `name` given as `name` and/or `name_file`.
std::optional<Secret> read_secret_entries(const Entry* inline_entry, const Entry* file_entry,
                                          std::string_view name, Presence presence,
                                          const YAML::Node& mapping, const ReadContext& ctx) {
  const std::string file_key = std::string(name) + "_file";
  const ReadContext value_ctx = ctx.child(name);
  const ReadContext file_ctx = ctx.child(file_key);
  if (inline_entry != nullptr && file_entry != nullptr) {
    file_ctx.error(file_entry->key,
                   "give either " + std::string(name) + " or " + file_key + ", not both");
    return std::nullopt;
  }
  if (file_entry != nullptr) {
    if (file_entry->value.IsNull()) {
      file_ctx.error(file_entry->key, "has no value");
      return std::nullopt;
    }
    const auto path = file_ctx.scalar(file_entry->value, "a file path");
    if (!path) return std::nullopt;
    if (path->empty()) {
      file_ctx.error(file_entry->value, "is empty");
      return std::nullopt;
    }
    const ConfigEnvironment& env = ctx.environment();
    if (auto escape = credentials_path_error(*path, env.credentials_directory); !escape.empty()) {
      file_ctx.error(file_entry->value, escape);
      return std::nullopt;
    }
    const std::string resolved =
        resolve_secret_path(*path, env.credentials_directory, env.config_directory);
    SecretFileRead read = read_secret_file(resolved);
    if (!read.error.empty()) {
      file_ctx.error(file_entry->value, read.error);
      return std::nullopt;
    }
    if (read.secret->empty()) {
      file_ctx.error(file_entry->value, "secret file " + resolved + " is empty");
      return std::nullopt;
    }
    if (!read.warning.empty()) file_ctx.warning(file_entry->value, read.warning);
    return std::move(read.secret);
  }
  if (inline_entry != nullptr) {
    if (inline_entry->value.IsNull()) {
      value_ctx.error(inline_entry->key, "has no value");
      return std::nullopt;
    }
    auto value = value_ctx.scalar(inline_entry->value, "a string");
    if (!value) return std::nullopt;
    if (value->empty()) {
      value_ctx.error(inline_entry->value, "is empty");
      return std::nullopt;
    }
    if (inline_entry->value.Scalar().find("${") == std::string::npos) {
      // Written into the file itself: whoever can read the configuration has the secret.
      value_ctx.warning(inline_entry->value,
                        "a secret written in clear text in the configuration; "
                        "give " +
                            file_key + " (a systemd credential) or ${VAR}");
    }
    return Secret(std::move(*value));
  }
  if (presence == Presence::required) {
    value_ctx.error_at_anchor(
        mapping, "missing required key (give " + std::string(name) + " or " + file_key + ")");
  }
  return std::nullopt;
}

}  // namespace

namespace schema_detail {

bool read_mapping(const YAML::Node& node, const ReadContext& ctx,
                  const std::vector<MappingKey>& keys,
                  std::initializer_list<std::string_view> also_allowed,
                  const std::function<void(const CheckReporter&)>& checks) {
  if (!node.IsNull() && !node.IsMap()) {
    ctx.error(node, "expected a mapping, got " + kind_of(node));
    return false;
  }
  const std::size_t before = ctx.diagnostics().size();
  const std::vector<Entry> entries = entries_of(node, ctx, /*report=*/true);

  std::vector<std::string> known;
  for (const MappingKey& k : keys) {
    known.emplace_back(k.name);
    if (k.assign_secret) known.push_back(std::string(k.name) + "_file");
  }
  for (std::string_view a : also_allowed) known.emplace_back(a);
  for (const Entry& e : entries) {
    if (std::find(known.begin(), known.end(), e.name) == known.end()) {
      ctx.child(e.name).error(e.key, "unknown key" + suggestion(e.name, known));
    }
  }

  for (const MappingKey& k : keys) {
    const Entry* entry = find_entry(entries, k.name);
    if (k.assign_secret) {
      const Entry* file_entry = find_entry(entries, std::string(k.name) + "_file");
      auto secret = read_secret_entries(entry, file_entry, k.name, k.presence, node, ctx);
      if (secret) k.assign_secret(std::move(*secret));
      continue;
    }
    const ReadContext key_ctx = ctx.child(k.name);
    if (entry == nullptr) {
      if (k.presence == Presence::required) key_ctx.error_at_anchor(node, "missing required key");
      continue;
    }
    if (entry->value.IsNull() && !k.null_is_empty) {
      key_ctx.error(entry->key, "has no value");
      continue;
    }
    const bool ok = k.read(entry->value, key_ctx.anchored_at(entry->key));
    if (ok && k.presence == Presence::required && k.is_empty && k.is_empty()) {
      key_ctx.error(entry->value, "must not be empty");
    }
  }

  if (ctx.diagnostics().size() != before) return false;
  if (checks) checks(CheckReporter(node, ctx));
  return ctx.diagnostics().size() == before;
}

}  // namespace schema_detail

void CheckReporter::error(std::string_view key, std::string message) const {
  const ReadContext key_ctx = ctx_.child(key);
  for (const Entry& e : entries_of(mapping_, ctx_, /*report=*/false)) {
    if (e.name == key) {
      key_ctx.error(e.value.IsNull() ? e.key : e.value, std::move(message));
      return;
    }
  }
  key_ctx.error_at_anchor(mapping_, std::move(message));
}

void CheckReporter::error(std::string message) const {
  ctx_.error_at_anchor(mapping_, std::move(message));
}

std::optional<Secret> read_secret(const YAML::Node& mapping, std::string_view key,
                                  Presence presence, const ReadContext& ctx) {
  if (!mapping.IsNull() && !mapping.IsMap()) {
    ctx.error(mapping, "expected a mapping, got " + kind_of(mapping));
    return std::nullopt;
  }
  const std::vector<Entry> entries = entries_of(mapping, ctx, /*report=*/false);
  return read_secret_entries(find_entry(entries, key),
                             find_entry(entries, std::string(key) + "_file"), key, presence,
                             mapping, ctx);
}

}  // namespace opsync
