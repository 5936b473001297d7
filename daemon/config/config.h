#pragma once
// The daemon's configuration: one YAML file, read once into these structs. Every key, its type,
// default and meaning is in docs/configuration.md, which a test keeps in step with config_schema().

#include <yaml-cpp/node/impl.h>
#include <yaml-cpp/node/node.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.h"
#include "config/schema.h"
#include "config/secret.h"

namespace opsync {

struct KafkaConfig {
  std::vector<std::string> brokers;  ///< bootstrap servers, `host:port`; never empty
  std::string topic;
  std::string group_id;
  std::string dead_letter_topic;  ///< never equal to topic
  std::size_t max_message_bytes = 1024 * 1024;
  /// Passed through to librdkafka. Never holds `bootstrap.servers`, `metadata.broker.list`,
  /// `group.id` or `enable.auto.offset.store`: those come from the keys above or from opsync.
  /// Values given as `<property>_file` have been read already (e.g. `sasl.password`).
  std::map<std::string, std::string> properties;
};

struct StateConfig {
  std::string directory;
  std::chrono::hours processed_event_retention{24 * 7};
  std::size_t batch_max_events = 5000;
  std::chrono::milliseconds batch_max_delay{50};
};

struct AdminConfig {
  std::string listen = "127.0.0.1:9464";  ///< `HOST:PORT` or `[IPV6]:PORT`; port 0 picks one
  std::optional<Secret> bearer_token;
};

struct LoggingConfig {
  std::string level = "info";     ///< trace, debug, info, warn, error, critical or off
  std::string format = "logfmt";  ///< logfmt or json
};

struct ShutdownConfig {
  std::chrono::milliseconds drain_timeout{10000};
};

/// One entry of the `connectors:` mapping. Only `type` and `enabled` are read here; the rest is
/// the connector's own business (see read_connector_settings).
struct ConnectorConfig {
  std::string name;  ///< instance name, the key under `connectors:`; matches [a-z0-9_-]{1,64}
  std::string type;  ///< e.g. `glia`; not checked here against the known connector types
  bool enabled = true;
  /// The whole entry, `type` and `enabled` included, with its source positions.
  YAML::Node settings;
  std::string file;  ///< the configuration file it came from
  int line = 0;      ///< 1-based line of the instance name
};

struct Config {
  KafkaConfig kafka;
  StateConfig state;
  AdminConfig admin;
  LoggingConfig logging;
  ShutdownConfig shutdown;
  std::vector<ConnectorConfig> connectors;  ///< in file order
  std::string source_file;
  /// What is valid but unsafe (Diagnostics::warn): secrets in clear text, secret files others
  /// can read. Logged at start and reload; `check-config` prints them.
  std::vector<ConfigDiagnostic> warnings;
};

/// Validates one connector entry: typically, look its type up in the connector registry (an
/// unknown type is a problem to report) and read its settings with that connector's schema.
/// Adds every problem to `diagnostics`; must not throw.
using ConnectorCheck =
    std::function<void(const ConnectorConfig& connector, Diagnostics& diagnostics)>;

/// Reads and validates the configuration file at `path`. `check`, when given, runs for every
/// connector entry whose name and `type` are valid (enabled or not), so that its problems are
/// reported with all the others. Throws ConfigError listing every problem (missing or unreadable
/// file, YAML syntax, unknown keys, wrong types, missing required keys, unset ${VAR}, unreadable
/// secret files), sorted by position. Reads the process environment.
[[nodiscard]] Config load_config(const std::filesystem::path& path,
                                 const ConnectorCheck& check = {});

/// As load_config, but returns the problems instead of throwing; empty when the file is valid.
/// `warnings`, when given, receives the warnings (Config::warnings), valid file or not.
[[nodiscard]] std::vector<ConfigDiagnostic> check_config(
    const std::filesystem::path& path, const ConnectorCheck& check = {},
    std::vector<ConfigDiagnostic>* warnings = nullptr);

/// As load_config, for configuration text that is not in a file (an embedded default).
/// `source_name` stands for the file name in diagnostics, and its directory is where relative
/// `X_file` paths resolve when `$CREDENTIALS_DIRECTORY` is unset.
[[nodiscard]] Config parse_config(std::string_view yaml, const std::string& source_name,
                                  const ConnectorCheck& check = {});

/// The schema of the whole file (connectors' own keys excepted), for documentation.
[[nodiscard]] const Schema<Config>& config_schema();

/// The read context for a connector's settings: key paths `connectors.<name>.<key>`, positions
/// in the connector's file, the process environment.
[[nodiscard]] ReadContext connector_read_context(const ConnectorConfig& connector,
                                                 Diagnostics& diagnostics);

/// Reads a connector's settings with its schema; `type` and `enabled` are accepted as known
/// keys. Problems go to `diagnostics` (key paths like `connectors.glia_eu.base_url`); members
/// that could not be read keep their defaults, so check `diagnostics` before using the result.
template <class T>
[[nodiscard]] T read_connector_settings(const ConnectorConfig& connector, const Schema<T>& schema,
                                        Diagnostics& diagnostics) {
  T settings{};
  schema.read(connector.settings, connector_read_context(connector, diagnostics), settings,
              {"type", "enabled"});
  return settings;
}

/// As read_connector_settings, but throws ConfigError on any problem.
template <class T>
[[nodiscard]] T load_connector_settings(const ConnectorConfig& connector, const Schema<T>& schema) {
  Diagnostics diagnostics;
  T settings = read_connector_settings(connector, schema, diagnostics);
  diagnostics.throw_if_any();
  return settings;
}

}  // namespace opsync
