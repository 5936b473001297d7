#pragma once
// A declarative, error-collecting reader for YAML configuration mappings.
//
// A module declares its settings as a plain struct whose default member initialisers are the
// defaults, and a Schema: one table row per key (name, member, presence, description). The type
// and the default shown in the documentation come from the member itself, so the table, the
// struct and docs (see render_markdown) cannot disagree.
//
//   struct GliaSettings {
//     std::string base_url = "https://api.glia.com";
//     Secret api_key_id;
//     Secret api_key_secret;
//     std::chrono::milliseconds request_timeout{10'000};
//     std::map<std::string, std::string> team_ids;
//   };
//
//   const Schema<GliaSettings>& glia_schema() {
//     using enum Presence;
//     static const Schema<GliaSettings> schema{{
//         {"base_url", &GliaSettings::base_url, optional, "API root."},
//         {"api_key_id", &GliaSettings::api_key_id, required, "Glia API key id."},
//         {"api_key_secret", &GliaSettings::api_key_secret, required, "Glia API key secret."},
//         {"request_timeout", in_range(&GliaSettings::request_timeout, 1s, 5min), optional, "..."},
//         {"team_ids", &GliaSettings::team_ids, optional, "Canonical team -> Glia team id."},
//     }};
//     return schema;
//   }
//
// Reading never stops at the first problem: every unknown key, wrong type, missing required key
// and failed check becomes one ConfigDiagnostic with its file, line, column and key path.
// Values go through `${VAR}` expansion before conversion. A Secret (or std::optional<Secret>)
// member may also be given as `<key>_file: PATH`. Messages never quote secret values.

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "config/read_context.h"
#include "config/schema_doc.h"
#include "config/secret.h"
#include "config/units.h"
#include "config/value_codec.h"

namespace YAML {
class Node;
}

namespace opsync {

/// How one key of a Schema<T> is read into a T. Usually made implicitly from a member pointer;
/// the factories below (bytes, one_of, in_range, nested, custom) cover the other cases.
template <class T>
struct Binding {
  using Reader = std::function<bool(const YAML::Node& value, const ReadContext& ctx, T& out)>;

  /// Reads member `member` with ValueCodec<M>; the documented default is `T{}.*member`.
  template <class M>
  Binding(M T::*member)  // NOLINT(google-explicit-constructor): table rows name members directly
      : type(ValueCodec<M>::type_name()),
        default_text(ValueCodec<M>::describe(T{}.*member)),
        read([member](const YAML::Node& value, const ReadContext& ctx, T& out) {
          return ValueCodec<M>::read(value, ctx, out.*member);
        }) {
    set_emptiness(member);
    if constexpr (std::is_same_v<M, Secret> || std::is_same_v<M, std::optional<Secret>>) {
      assign_secret = [member](T& out, Secret secret) { out.*member = std::move(secret); };
    }
  }

  Binding(std::string type_name, std::string default_value, Reader reader)
      : type(std::move(type_name)),
        default_text(std::move(default_value)),
        read(std::move(reader)) {}

  /// Sets is_empty for members that can be empty (strings, lists, maps, optionals).
  template <class M>
  void set_emptiness(M T::*member) {
    if constexpr (requires(const M& m) { m.empty(); }) {
      is_empty = [member](const T& out) { return (out.*member).empty(); };
    } else if constexpr (requires(const M& m) { m.has_value(); }) {
      is_empty = [member](const T& out) { return !(out.*member).has_value(); };
    }
  }

  std::string type;
  std::string default_text;
  Reader read;
  /// When set, a required key whose value reads as empty is an error ("must not be empty").
  std::function<bool(const T&)> is_empty;
  /// Set for secrets: the key may be given as `<key>_file`, and its value is never quoted.
  std::function<void(T&, Secret)> assign_secret;
  /// Set for nested mappings: their keys, for the documentation.
  const SchemaDoc* nested = nullptr;
  /// A nested mapping written as `key:` with nothing after it counts as an empty mapping.
  bool null_is_empty = false;
};

/// One row of a Schema table.
template <class T>
struct Key {
  std::string name;
  Binding<T> binding;
  Presence presence = Presence::optional;
  std::string description;
};

/// Reports problems found by a Schema's checks (rules across keys, ranges), at the position of
/// the key they concern.
class CheckReporter {
 public:
  CheckReporter(const YAML::Node& mapping, const ReadContext& ctx) : mapping_(mapping), ctx_(ctx) {}
  /// A problem with key `key` of the mapping (reported at its value, or at the mapping when the
  /// key is absent).
  void error(std::string_view key, std::string message) const;
  /// A problem with the mapping as a whole.
  void error(std::string message) const;

 private:
  const YAML::Node& mapping_;
  const ReadContext& ctx_;
};

namespace schema_detail {
/// A Schema row bound to the object being read.
struct MappingKey {
  std::string_view name;
  Presence presence = Presence::optional;
  bool null_is_empty = false;
  std::function<bool(const YAML::Node&, const ReadContext&)> read;
  std::function<bool()> is_empty;
  std::function<void(Secret)> assign_secret;
};

bool read_mapping(const YAML::Node& node, const ReadContext& ctx,
                  const std::vector<MappingKey>& keys,
                  std::initializer_list<std::string_view> also_allowed,
                  const std::function<void(const CheckReporter&)>& checks);
}  // namespace schema_detail

/// The keys of one mapping: a table of Key rows, plus checks that run once every key has been
/// read without error. Keep a Schema in a function-local static: nested() refers to it.
template <class T>
class Schema {
 public:
  using Check = std::function<void(const T& value, const CheckReporter& report)>;

  /// Written `Schema<T>{{rows...}}` or `Schema<T>{{rows...}, {checks...}}`. Throws
  /// std::logic_error for two rows with the same name (a programming error).
  explicit Schema(std::vector<Key<T>> keys, std::vector<Check> checks = {})
      : keys_(std::move(keys)), checks_(std::move(checks)) {
    for (std::size_t i = 0; i < keys_.size(); ++i) {
      const Key<T>& key = keys_[i];
      for (std::size_t j = 0; j < i; ++j) {
        const std::string& other = keys_[j].name;
        if (other == key.name || (keys_[j].binding.assign_secret && other + "_file" == key.name) ||
            (key.binding.assign_secret && key.name + "_file" == other)) {
          throw std::logic_error("configuration schema declares key '" + key.name + "' twice");
        }
      }
      doc_.push_back(KeyDoc{key.name, key.binding.type, key.presence, key.binding.default_text,
                            key.description, static_cast<bool>(key.binding.assign_secret),
                            key.binding.nested});
    }
  }

  /// Reads mapping `node` into `out`, whose members hold their defaults beforehand; a key that
  /// is absent keeps its default. `also_allowed` names keys that are accepted but not read (a
  /// connector's `type` and `enabled`). Returns true when nothing was reported; otherwise `out`
  /// is partly filled and every problem is in ctx.diagnostics().
  bool read(const YAML::Node& node, const ReadContext& ctx, T& out,
            std::initializer_list<std::string_view> also_allowed = {}) const {
    std::vector<schema_detail::MappingKey> bound;
    bound.reserve(keys_.size());
    for (const Key<T>& key : keys_) {
      schema_detail::MappingKey m;
      m.name = key.name;
      m.presence = key.presence;
      m.null_is_empty = key.binding.null_is_empty;
      m.read = [&key, &out](const YAML::Node& value, const ReadContext& value_ctx) {
        return key.binding.read(value, value_ctx, out);
      };
      if (key.binding.is_empty) m.is_empty = [&key, &out] { return key.binding.is_empty(out); };
      if (key.binding.assign_secret) {
        m.assign_secret = [&key, &out](Secret s) { key.binding.assign_secret(out, std::move(s)); };
      }
      bound.push_back(std::move(m));
    }
    return schema_detail::read_mapping(node, ctx, bound, also_allowed,
                                       [this, &out](const CheckReporter& report) {
                                         for (const Check& check : checks_) check(out, report);
                                       });
  }

  [[nodiscard]] const SchemaDoc& doc() const noexcept { return doc_; }
  [[nodiscard]] const std::vector<Key<T>>& keys() const noexcept { return keys_; }

 private:
  std::vector<Key<T>> keys_;
  std::vector<Check> checks_;
  SchemaDoc doc_;
};

/// A nested mapping read with its own schema (which must outlive this one).
template <class T, class M>
Binding<T> nested(M T::*member, const Schema<M>& schema) {
  Binding<T> b("mapping", {},
               [member, &schema](const YAML::Node& value, const ReadContext& ctx, T& out) {
                 return schema.read(value, ctx, out.*member);
               });
  b.nested = &schema.doc();
  b.null_is_empty = true;
  return b;
}

/// An unsigned integer member written as a byte size: `4096`, `512KiB`, `1MiB`, `2GiB`.
template <class T, class M>
Binding<T> bytes(M T::*member) {
  static_assert(std::is_unsigned_v<M> && !std::is_same_v<M, bool>, "sizes are unsigned integers");
  Binding<T> b("size", format_byte_size(T{}.*member),
               [member](const YAML::Node& value, const ReadContext& ctx, T& out) {
                 const auto v =
                     schema_detail::read_byte_size(value, ctx, std::numeric_limits<M>::max());
                 if (v) out.*member = static_cast<M>(*v);
                 return v.has_value();
               });
  return b;
}

/// A string member restricted to `allowed` (exact, case-sensitive).
template <class T>
Binding<T> one_of(std::string T::*member, std::vector<std::string> allowed) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  Binding<T> b("one of: " + list, T{}.*member,
               [member, allowed, list](const YAML::Node& value, const ReadContext& ctx, T& out) {
                 std::string s;
                 if (!ValueCodec<std::string>::read(value, ctx, s)) return false;
                 for (const auto& a : allowed) {
                   if (s == a) {
                     out.*member = std::move(s);
                     return true;
                   }
                 }
                 ctx.invalid(value, "one of " + list);
                 return false;
               });
  return b;
}

/// A member read with ValueCodec<M> that must lie in [min, max].
template <class T, class M>
Binding<T> in_range(M T::*member, std::type_identity_t<M> min, std::type_identity_t<M> max) {
  const std::string bounds = ValueCodec<M>::describe(min) + " to " + ValueCodec<M>::describe(max);
  Binding<T> b(ValueCodec<M>::type_name() + " (" + bounds + ")",
               ValueCodec<M>::describe(T{}.*member),
               [member, min, max, bounds](const YAML::Node& value, const ReadContext& ctx, T& out) {
                 M v{};
                 if (!ValueCodec<M>::read(value, ctx, v)) return false;
                 if (v < min || max < v) {
                   ctx.error(value, "must be from " + bounds);
                   return false;
                 }
                 out.*member = std::move(v);
                 return true;
               });
  b.set_emptiness(member);
  return b;
}

/// A member read by hand-written code: for shapes the codecs do not cover. `read` reports its
/// own problems through `ctx` and returns false after any.
template <class T, class M>
Binding<T> custom(
    M T::*member, std::string type_name,
    std::type_identity_t<std::function<bool(const YAML::Node&, const ReadContext&, M&)>> read,
    std::string default_text = {}) {
  Binding<T> b(std::move(type_name), std::move(default_text),
               [member, read = std::move(read)](const YAML::Node& value, const ReadContext& ctx,
                                                T& out) { return read(value, ctx, out.*member); });
  b.set_emptiness(member);
  return b;
}

/// Reads secret-bearing key `key` of `mapping` (whose context is `ctx`) the way a Secret member
/// of a Schema is read: `key: value` (after `${VAR}` expansion) or `key_file: PATH` (relative
/// paths resolve against `$CREDENTIALS_DIRECTORY`, else the configuration file's directory; one
/// trailing newline is stripped). Records an error when both or (if required) neither are given,
/// when the file cannot be read, and when the value is empty. Does not check other keys.
[[nodiscard]] std::optional<Secret> read_secret(const YAML::Node& mapping, std::string_view key,
                                                Presence presence, const ReadContext& ctx);

}  // namespace opsync
