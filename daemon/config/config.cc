#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>
#include <utility>

namespace opsync {
namespace {

// A configuration file larger than this is certainly not one.
constexpr std::uintmax_t kMaxConfigBytes = 16 * 1024 * 1024;

struct Loaded {
  Config config;
  std::vector<ConfigDiagnostic> diagnostics;
};

ConfigDiagnostic whole_file(const std::string& file, std::string message) {
  return ConfigDiagnostic{file, 0, 0, {}, std::move(message)};
}

ConfigDiagnostic at_mark(const std::string& file, const YAML::Mark& mark, std::string message) {
  if (mark.is_null() || mark.line < 0) return whole_file(file, std::move(message));
  return ConfigDiagnostic{file, mark.line + 1, mark.column + 1, {}, std::move(message)};
}

Loaded parse(std::string_view yaml, const std::string& file,
             std::shared_ptr<const ConfigEnvironment> environment, const ConnectorCheck& check) {
  Loaded out;
  out.config.source_file = file;
  Diagnostics diagnostics;
  // yaml-cpp 0.7 runs away on some control characters (a NUL byte makes LoadAll create nodes
  // until memory runs out; found by fuzzing), and no configuration needs them: refuse them first.
  int line = 1, column = 1;
  for (unsigned char c : yaml) {
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", c);
      diagnostics.add(ConfigDiagnostic{
          file,
          line,
          column,
          {},
          std::string("control character ") + hex + " is not allowed in a configuration file"});
      out.diagnostics = diagnostics.take();
      return out;
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  // yaml-cpp 0.7 also loops for ever on a line that begins with ',' outside a flow collection
  // ([...] or {...}), e.g. at the start of a document (found by fuzzing). Such a line is never
  // valid YAML, so it is refused here with its position.
  {
    int depth = 0, ln = 1, col = 1;
    bool line_start = true, in_comment = false;
    char quote = 0;
    char prev = '\n';
    // The last non-blank character: '[' and '{' open a flow collection only where a value or an
    // entry begins (line start, or after ':', '-', ',', '[' or '{'), not inside `${VAR}`.
    char last = '\n';
    bool in_property = false;  // inside an anchor (&a), tag (!t) or alias (*a)
    for (char c : yaml) {
      if (c == '\n') {
        ++ln;
        col = 1;
        line_start = true;
        in_comment = false;
        in_property = false;
        prev = c;
        if (depth <= 0) last = c;
        continue;
      }
      if (!in_comment && !quote) {
        if (line_start && c != ' ' && c != '\t' && c != '\r') line_start = false;
        // A ',' that begins a token at block level: after blanks, a line start, ':', '-' or '?',
        // or right after an anchor, tag or alias (whose names end at ','). Never valid there.
        if (c == ',' && depth <= 0 &&
            (prev == ' ' || prev == '\t' || last == '\n' || last == ':' || last == '-' ||
             last == '?' || in_property)) {
          diagnostics.add(ConfigDiagnostic{
              file,
              ln,
              col,
              {},
              "',' cannot begin a value outside [...] or {...} (quote the value if it holds one)"});
          out.diagnostics = diagnostics.take();
          return out;
        }
        if (c == '&' || c == '!' || c == '*') {
          if (prev == ' ' || prev == '\t' || prev == '\n' || last == ':' || last == '-' ||
              last == '\n') {
            in_property = true;
          }
        } else if (c == ' ' || c == '\t') {
          in_property = false;
        }
        if (c == '#' && (prev == ' ' || prev == '\t' || prev == '\n' || col == 1)) {
          in_comment = true;
        } else if ((c == '"' || c == '\'') && !in_property) {  // `&"` is part of an anchor name
          quote = c;
        } else if ((c == '[' || c == '{') &&
                   (last == '\n' || last == ':' || last == '-' || last == ',' || last == '[' ||
                    last == '{' || depth > 0)) {
          ++depth;
        } else if ((c == ']' || c == '}') && depth > 0) {
          --depth;
        }
        if (c != ' ' && c != '\t' && c != '\r') last = c;
      } else if (quote && c == quote) {
        quote = 0;
      }
      prev = c;
      ++col;
    }
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(yaml));
  } catch (const YAML::Exception& e) {
    // yaml-cpp's messages describe the syntax, never quote the text.
    diagnostics.add(at_mark(file, e.mark, "YAML syntax error: " + e.msg));
    out.diagnostics = diagnostics.take();
    return out;
  }
  if (documents.size() > 1) {
    diagnostics.add(at_mark(file, documents[1].Mark(),
                            "holds more than one YAML document; the configuration is one"));
  }
  const YAML::Node root = documents.empty() ? YAML::Node() : documents.front();
  const ReadContext ctx(diagnostics, std::move(environment), file);
  config_schema().read(root, ctx, out.config);
  if (check) {
    for (const ConnectorConfig& connector : out.config.connectors) check(connector, diagnostics);
  }
  out.diagnostics = diagnostics.take();
  return out;
}

Loaded read_file(const std::filesystem::path& path, const ConnectorCheck& check) {
  const std::string file = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec) return {{}, {whole_file(file, "cannot read configuration file: " + ec.message())}};
  if (std::filesystem::is_directory(status)) {
    return {{}, {whole_file(file, "cannot read configuration file: it is a directory")}};
  }
  if (std::filesystem::is_regular_file(status) &&
      std::filesystem::file_size(path, ec) > kMaxConfigBytes && !ec) {
    return {{}, {whole_file(file, "configuration file is larger than 16MiB")}};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    return {{},
            {whole_file(file, std::string("cannot read configuration file: ") +
                                  (err != 0 ? std::strerror(err) : "open failed"))}};
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return {{}, {whole_file(file, "cannot read configuration file: read error")}};
  return parse(text.str(), file,
               std::make_shared<const ConfigEnvironment>(ConfigEnvironment::for_file(file)), check);
}

}  // namespace

Config load_config(const std::filesystem::path& path, const ConnectorCheck& check) {
  Loaded loaded = read_file(path, check);
  if (!loaded.diagnostics.empty()) throw ConfigError(std::move(loaded.diagnostics));
  return std::move(loaded.config);
}

std::vector<ConfigDiagnostic> check_config(const std::filesystem::path& path,
                                           const ConnectorCheck& check) {
  return read_file(path, check).diagnostics;
}

Config parse_config(std::string_view yaml, const std::string& source_name,
                    const ConnectorCheck& check) {
  Loaded loaded = parse(
      yaml, source_name,
      std::make_shared<const ConfigEnvironment>(ConfigEnvironment::for_file(source_name)), check);
  if (!loaded.diagnostics.empty()) throw ConfigError(std::move(loaded.diagnostics));
  return std::move(loaded.config);
}

ReadContext connector_read_context(const ConnectorConfig& connector, Diagnostics& diagnostics) {
  return ReadContext(
      diagnostics,
      std::make_shared<const ConfigEnvironment>(ConfigEnvironment::for_file(connector.file)),
      connector.file, "connectors." + connector.name);
}

}  // namespace opsync
