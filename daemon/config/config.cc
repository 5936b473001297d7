#include "config/config.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace opsync {
namespace {

// A configuration larger than this is certainly not one (config/example.yaml, every connector
// included, is a few KiB); it bounds what yaml-cpp is given, which takes seconds for 16MiB.
constexpr std::uintmax_t kMaxConfigBytes = 1024 * 1024;

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

// A configuration holds one YAML document. yaml-cpp 0.7's YAML::LoadAll calls
// Parser::HandleNextDocument until it returns false, and a document whose first token is one that
// yaml-cpp's SingleDocParser::HandleNode does not consume (a ',' outside [...] or {...}: `,`,
// `&a ,`, `key: v\n,`) ends there as an empty document without consuming it: the next document
// starts at the same token, for ever, each adding a node until memory runs out (found by
// fuzzing; tests/fuzz/regressions/config_fuzz). So the loader never calls LoadAll. A first pass
// reads the documents with an event handler that only records where each one starts, and stops at
// a document that starts where the previous one did: that is the loop, reported at its position.
// (Every other document consumes at least one token, so the pass ends.) The node tree then comes
// from YAML::Load, which reads the first document only.
class DocumentStarts final : public YAML::EventHandler {
 public:
  struct Document {
    YAML::Mark start;       ///< of its first token (`---`, or its first node's)
    YAML::Mark first_node;  ///< of its first node, for messages
    bool has_node = false;
  };
  std::vector<Document> documents;

  [[nodiscard]] bool stuck() const {
    const std::size_t n = documents.size();
    return n >= 2 && documents[n - 1].start.pos == documents[n - 2].start.pos;
  }

  void OnDocumentStart(const YAML::Mark& mark) override { documents.push_back({mark, mark}); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark) {
    if (documents.empty() || documents.back().has_node) return;
    documents.back().first_node = mark;
    documents.back().has_node = true;
  }
};

constexpr std::string_view kCommaHint =
    "',' cannot begin a value outside [...] or {...} (quote the value if it holds one)";

bool comma_at(std::string_view yaml, const YAML::Mark& mark) {
  return !mark.is_null() && mark.pos >= 0 && static_cast<std::size_t>(mark.pos) < yaml.size() &&
         yaml[static_cast<std::size_t>(mark.pos)] == ',';
}

// yaml-cpp's exception as a diagnostic: its messages describe the syntax, never quote the text.
ConfigDiagnostic syntax_error(std::string_view yaml, const std::string& file,
                              const YAML::Exception& e) {
  if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr) {
    return at_mark(file, e.mark, "YAML nesting is too deep (yaml-cpp stops at 500 levels)");
  }
  std::string message = "YAML syntax error: " + e.msg;
  if (comma_at(yaml, e.mark)) message += std::string("; ") + std::string(kCommaHint);
  return at_mark(file, e.mark, std::move(message));
}

struct Screened {
  /// Set when the text must not reach YAML::Load.
  std::optional<ConfigDiagnostic> refused;
  /// Set when the text holds a second document: reported with what the first one holds.
  std::optional<ConfigDiagnostic> second_document;
};

// Refuses what yaml-cpp 0.7 cannot be trusted with, before it builds a node: more bytes than a
// configuration can need, control characters, and the document loop above.
Screened screen(std::string_view yaml, const std::string& file) {
  if (yaml.size() > kMaxConfigBytes) {
    return {whole_file(file, "configuration is larger than 1MiB (" + std::to_string(yaml.size()) +
                                 " bytes)"),
            {}};
  }
  // No configuration needs a control character other than tab, CR and LF (YAML does not allow
  // them either), and a NUL was part of the first loop the fuzzer found (`\x00,`).
  int line = 1, column = 1;
  for (unsigned char c : yaml) {
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", c);
      return {ConfigDiagnostic{file,
                               line,
                               column,
                               {},
                               std::string("control character ") + hex +
                                   " is not allowed in a configuration file"},
              {}};
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  std::istringstream in{std::string(yaml)};
  YAML::Parser parser(in);
  DocumentStarts starts;
  try {
    while (parser.HandleNextDocument(starts)) {
      if (!starts.stuck()) continue;
      // The token yaml-cpp is stuck on: a ',' in every input found so far.
      const YAML::Mark& at = starts.documents.back().start;
      return {at_mark(file, at,
                      comma_at(yaml, at)
                          ? std::string(kCommaHint)
                          : "YAML syntax error: a value cannot begin here (yaml-cpp makes no "
                            "progress)"),
              {}};
    }
  } catch (const YAML::Exception& e) {
    return {syntax_error(yaml, file, e), {}};
  }
  if (starts.documents.size() > 1) {
    return {{},
            at_mark(file, starts.documents[1].first_node,
                    "holds more than one YAML document; the configuration is one")};
  }
  return {};
}

Loaded parse(std::string_view yaml, const std::string& file,
             std::shared_ptr<const ConfigEnvironment> environment, const ConnectorCheck& check) {
  Loaded out;
  out.config.source_file = file;
  Diagnostics diagnostics;
  Screened screened = screen(yaml, file);
  if (screened.refused) {
    out.diagnostics = {std::move(*screened.refused)};
    return out;
  }
  if (screened.second_document) diagnostics.add(std::move(*screened.second_document));
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    diagnostics.add(syntax_error(yaml, file, e));
    out.diagnostics = diagnostics.take();
    return out;
  }
  const ReadContext ctx(diagnostics, std::move(environment), file);
  config_schema().read(root, ctx, out.config);
  if (check) {
    for (const ConnectorConfig& connector : out.config.connectors) check(connector, diagnostics);
  }
  out.diagnostics = diagnostics.take();
  out.config.warnings = diagnostics.take_warnings();
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
    return {{}, {whole_file(file, "configuration file is larger than 1MiB")}};
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
                                           const ConnectorCheck& check,
                                           std::vector<ConfigDiagnostic>* warnings) {
  Loaded loaded = read_file(path, check);
  if (warnings != nullptr) *warnings = std::move(loaded.config.warnings);
  return std::move(loaded.diagnostics);
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
