#include "config/env_expansion.h"

#include <cstdlib>

namespace opsync {
namespace {

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || !is_name_start(name.front())) return false;
  for (char c : name) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

}  // namespace

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Expansion expand_variables(std::string_view text, const EnvLookup& lookup) {
  Expansion out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t dollar = text.find('$', i);
    if (dollar == std::string_view::npos) {
      out.value.append(text.substr(i));
      break;
    }
    out.value.append(text.substr(i, dollar - i));
    const std::string_view rest = text.substr(dollar);
    if (rest.starts_with("$${")) {
      out.value.append("${");
      i = dollar + 3;
      continue;
    }
    if (!rest.starts_with("${")) {
      out.value.push_back('$');
      i = dollar + 1;
      continue;
    }
    const std::size_t close = rest.find('}');
    if (close == std::string_view::npos) {
      out.error = "a ${ reference has no closing } (write $${ for a literal ${)";
      return out;
    }
    const std::string_view body = rest.substr(2, close - 2);
    const std::size_t sep = body.find(":-");
    const std::string_view name = body.substr(0, sep);
    if (!is_valid_name(name)) {
      // The text is not quoted: it may be part of a secret written in clear.
      out.error =
          "a ${...} reference has an invalid variable name (letters, digits and _, not first a "
          "digit; write $${ for a literal ${)";
      return out;
    }
    out.used_variables = true;
    const std::optional<std::string> value = lookup ? lookup(name) : std::nullopt;
    if (sep != std::string_view::npos) {
      if (value && !value->empty()) {
        out.value.append(*value);
      } else {
        out.value.append(body.substr(sep + 2));
      }
    } else if (value) {
      out.value.append(*value);
    } else {
      out.error = "environment variable " + std::string(name) + " is not set (write ${" +
                  std::string(name) + ":-default} to give a default)";
      return out;
    }
    i = dollar + close + 1;
  }
  return out;
}

}  // namespace opsync
