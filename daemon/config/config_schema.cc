// The schema of the configuration file: one table per section. docs/configuration.md embeds
// these tables (render_markdown); config_test fails when the two differ.

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "config/config.h"
#include "config/yaml_nodes.h"

namespace opsync {
namespace {

using namespace std::chrono_literals;

bool is_valid_topic(std::string_view topic) {
  if (topic.empty() || topic.size() > 249 || topic == "." || topic == "..") return false;
  return std::all_of(topic.begin(), topic.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

bool is_valid_instance_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// `HOST:PORT` or `[IPV6]:PORT` with a port from 0 to 65535.
bool is_valid_listen_address(std::string_view address) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view host = address.substr(0, colon);
  const std::string_view port = address.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return false;
  } else if (host.find(':') != std::string_view::npos) {
    return false;  // a bare IPv6 address must be bracketed
  }
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return !port.empty() && ec == std::errc{} && ptr == port.data() + port.size() && value <= 65535;
}

// 127.0.0.0/8, ::1 and localhost: only this machine can connect. Called on a valid address.
bool is_loopback_listen_address(std::string_view address) {
  const std::string_view host = address.substr(0, address.rfind(':'));
  if (host == "localhost" || host == "[::1]") return true;
  if (!host.starts_with("127.")) return false;
  int parts = 0;
  for (std::size_t at = 0; at <= host.size(); ++parts) {
    const std::size_t dot = std::min(host.find('.', at), host.size());
    unsigned value = 0;
    const auto part = host.substr(at, dot - at);
    const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || ec != std::errc{} || ptr != part.data() + part.size() || value > 255) {
      return false;
    }
    at = dot + 1;
  }
  return parts == 4;
}

struct ReservedProperty {
  std::string_view name;
  std::string_view reason;
};

constexpr std::array<ReservedProperty, 4> kReservedProperties{{
    {"bootstrap.servers", "is set from kafka.brokers"},
    {"metadata.broker.list", "is set from kafka.brokers"},
    {"group.id", "is set from kafka.group_id"},
    {"enable.auto.offset.store",
     "is set by opsync, which stores an offset only once its changes are durable"},
}};

// librdkafka properties that hold credentials (passwords, client secrets, private keys).
bool secret_property(std::string_view name) {
  return name.find("password") != std::string_view::npos ||
         name.find("secret") != std::string_view::npos || name == "ssl.key.pem" ||
         name == "sasl.oauthbearer.config";
}

// A map of librdkafka properties; `X_file: PATH` gives property X from a file, like a secret.
bool read_properties(const YAML::Node& node, const ReadContext& ctx,
                     std::map<std::string, std::string>& out) {
  std::map<std::string, std::string> values;
  const bool ok = schema_detail::for_each_entry(
      node, ctx,
      [&](std::string_view name, const YAML::Node& key, const YAML::Node& value,
          const ReadContext& entry_ctx) {
        const bool is_file = name.ends_with("_file");
        const std::string property(is_file ? name.substr(0, name.size() - 5) : name);
        for (const auto& reserved : kReservedProperties) {
          if (property == reserved.name) {
            entry_ctx.error(key, std::string(reserved.reason));
            return false;
          }
        }
        if (is_file || node[property + "_file"]) {
          // Read once, under the property's own name, which also reports "both given".
          if (is_file && node[property]) return true;
          auto secret = read_secret(node, property, Presence::optional, ctx);
          if (secret) values[property] = secret->reveal();
          return secret.has_value();
        }
        if (value.IsNull()) {
          entry_ctx.error(key, "has no value");
          return false;
        }
        std::string text;
        if (!ValueCodec<std::string>::read(value, entry_ctx, text)) return false;
        if (secret_property(property) && value.IsScalar() &&
            value.Scalar().find("${") == std::string::npos) {
          entry_ctx.warning(value, "a secret written in clear text in the configuration; give " +
                                       property + "_file (a systemd credential) or ${VAR}");
        }
        values[property] = std::move(text);
        return true;
      });
  if (ok) out = std::move(values);
  return ok;
}

// The `connectors:` mapping: instance name -> entry with at least `type:`.
bool read_connectors(const YAML::Node& node, const ReadContext& ctx,
                     std::vector<ConnectorConfig>& out) {
  std::vector<ConnectorConfig> connectors;
  const bool ok = schema_detail::for_each_entry(
      node, ctx,
      [&](std::string_view name, const YAML::Node& key, const YAML::Node& value,
          const ReadContext& entry_ctx) {
        bool valid = true;
        if (!is_valid_instance_name(name)) {
          entry_ctx.error(key,
                          "connector names are 1 to 64 characters of a-z, 0-9, _ and - "
                          "(they name metrics, logs and external_ids)");
          valid = false;
        }
        if (!value.IsMap()) {
          entry_ctx.error(
              value.IsNull() ? key : value,
              "expected a mapping with at least `type:`, got " + config_internal::kind_of(value));
          return false;
        }
        ConnectorConfig c;
        c.name = std::string(name);
        c.file = ctx.file();
        c.line = key.Mark().is_null() ? 0 : key.Mark().line + 1;
        c.settings = value;
        bool has_type = false;
        for (auto it = value.begin(); it != value.end(); ++it) {
          const YAML::Node field_key = it->first;  // a copy: `it->` returns a temporary proxy
          const YAML::Node field_value = it->second;
          if (!field_key.IsScalar()) continue;  // reported by the connector's own schema
          const std::string& field = field_key.Scalar();
          const ReadContext field_ctx = entry_ctx.child(field);
          if (field == "type" && !has_type) {
            has_type = true;
            if (field_value.IsNull()) {
              field_ctx.error(field_key, "has no value");
              valid = false;
            } else if (!ValueCodec<std::string>::read(field_value, field_ctx, c.type)) {
              valid = false;
            } else if (c.type.empty()) {
              field_ctx.error(field_value, "must not be empty");
              valid = false;
            }
          } else if (field == "enabled") {
            if (field_value.IsNull()) {
              field_ctx.error(field_key, "has no value");
              valid = false;
            } else if (!ValueCodec<bool>::read(field_value, field_ctx, c.enabled)) {
              valid = false;
            }
          }
        }
        if (!has_type) {
          entry_ctx.child("type").error(key, "missing required key");
          valid = false;
        }
        if (valid) connectors.push_back(std::move(c));
        return valid;
      });
  if (ok) out = std::move(connectors);
  return ok;
}

const Schema<KafkaConfig>& kafka_schema() {
  using enum Presence;
  static const Schema<KafkaConfig> schema{
      {
          {"brokers", &KafkaConfig::brokers, required,
           "Bootstrap brokers, `host:port`: a list, or one comma-separated string (handy with "
           "`${KAFKA_BROKERS}`)."},
          {"topic", &KafkaConfig::topic, required,
           "Topic of operator-change events (CloudEvents, event contract v1)."},
          {"group_id", &KafkaConfig::group_id, required,
           "Consumer group. Instances with the same group share the topic's partitions."},
          {"dead_letter_topic", &KafkaConfig::dead_letter_topic, required,
           "Where invalid events and permanently rejected pushes go, with a header saying why. "
           "Must differ from `topic`."},
          {"max_message_bytes", bytes(&KafkaConfig::max_message_bytes), optional,
           "Largest event accepted (1KiB to 1GiB); a larger one goes to the dead-letter topic."},
          {"properties",
           custom(&KafkaConfig::properties, "map of string to string", read_properties), optional,
           "librdkafka properties passed through as strings, e.g. `security.protocol`. "
           "`NAME_file: PATH` reads a property from a file, like a secret (`sasl.password_file`). "
           "`bootstrap.servers`, `metadata.broker.list`, `group.id` and "
           "`enable.auto.offset.store` are rejected: opsync sets them."},
      },
      {
          [](const KafkaConfig& k, const CheckReporter& report) {
            for (const auto& [key, topic] :
                 {std::pair{"topic", &k.topic},
                  std::pair{"dead_letter_topic", &k.dead_letter_topic}}) {
              if (!is_valid_topic(*topic)) {
                report.error(key,
                             "is not a valid Kafka topic name (1 to 249 characters of a-z, A-Z, "
                             "0-9, '.', '_' and '-')");
              }
            }
            if (k.dead_letter_topic == k.topic) {
              report.error("dead_letter_topic", "must differ from kafka.topic");
            }
            if (k.max_message_bytes < 1024 || k.max_message_bytes > (std::size_t{1} << 30)) {
              report.error("max_message_bytes", "must be from 1KiB to 1GiB");
            }
          },
      }};
  return schema;
}

const Schema<StateConfig>& state_schema() {
  using enum Presence;
  static const Schema<StateConfig> schema{{
      {"directory", &StateConfig::directory, required,
       "Directory of the state store (SQLite, WAL mode). The daemon must be able to write it; "
       "systemd's `StateDirectory=` fits."},
      {"processed_event_retention", in_range(&StateConfig::processed_event_retention, 1h, 8760h),
       optional,
       "How long processed CloudEvents ids are kept to recognise duplicates. Whole hours."},
      {"batch_max_events", in_range(&StateConfig::batch_max_events, 1, 1'000'000), optional,
       "Most events applied in one state-store transaction."},
      {"batch_max_delay", in_range(&StateConfig::batch_max_delay, 0ms, 10s), optional,
       "Accepted and checked, but **currently has no effect**: the consumer never holds "
       "events back to fill a batch. A batch is whatever has arrived (up to "
       "`batch_max_events`) when the previous one has committed, so batches grow by themselves "
       "under load and stay small when it is light."},
  }};
  return schema;
}

const Schema<AdminConfig>& admin_schema() {
  using enum Presence;
  static const Schema<AdminConfig> schema{
      {
          {"listen", &AdminConfig::listen, optional,
           "Address of the admin HTTP server (`/healthz`, `/readyz`, `/metrics`, `/operators`): "
           "`HOST:PORT` or `[IPV6]:PORT`; port 0 picks a free port."},
          {"bearer_token", &AdminConfig::bearer_token, optional,
           "When set, admin requests must carry `Authorization: Bearer <token>`. Required when "
           "`listen` is not a loopback address (127.0.0.0/8, `[::1]`, `localhost`): the admin API "
           "shows operators' personal data."},
      },
      {
          [](const AdminConfig& a, const CheckReporter& report) {
            if (!is_valid_listen_address(a.listen)) {
              report.error("listen", "expected HOST:PORT or [IPV6]:PORT with a port up to 65535");
            } else if (!a.bearer_token && !is_loopback_listen_address(a.listen)) {
              // The API shows personal data and can queue pushes: never open beyond this
              // machine without a token.
              report.error("listen",
                           "not a loopback address, so admin.bearer_token (or "
                           "bearer_token_file) is required: the admin API shows operators' "
                           "personal data");
            }
          },
      }};
  return schema;
}

const Schema<LoggingConfig>& logging_schema() {
  using enum Presence;
  static const Schema<LoggingConfig> schema{{
      {"level",
       one_of(&LoggingConfig::level,
              {"trace", "debug", "info", "warn", "error", "critical", "off"}),
       optional, "Least severe level logged."},
      {"format", one_of(&LoggingConfig::format, {"logfmt", "json"}), optional,
       "Log line format, to standard error (the journal under systemd)."},
  }};
  return schema;
}

const Schema<ShutdownConfig>& shutdown_schema() {
  using enum Presence;
  static const Schema<ShutdownConfig> schema{{
      {"drain_timeout", in_range(&ShutdownConfig::drain_timeout, 0ms, 1h), optional,
       "On SIGTERM, how long in-flight pushes may take to finish before the daemon commits what "
       "is durable and exits. Keep it below systemd's `TimeoutStopSec=`."},
  }};
  return schema;
}

}  // namespace

const Schema<Config>& config_schema() {
  using enum Presence;
  static const Schema<Config> schema{{
      {"kafka", nested(&Config::kafka, kafka_schema()), required, "Where events come from."},
      {"state", nested(&Config::state, state_schema()), required, "The local state store."},
      {"admin", nested(&Config::admin, admin_schema()), optional, "The admin HTTP server."},
      {"logging", nested(&Config::logging, logging_schema()), optional, "Log output."},
      {"shutdown", nested(&Config::shutdown, shutdown_schema()), optional, "Graceful stop."},
      {"connectors", custom(&Config::connectors, "map of connectors", read_connectors), optional,
       "Vendor connector instances by instance name; each entry needs `type:` (see below)."},
  }};
  return schema;
}

}  // namespace opsync
