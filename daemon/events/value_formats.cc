#include "events/value_formats.h"

#include "events/reference_tables.h"

namespace opsync {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_alnum(char c) {
  return is_digit(c) || is_alpha(c);
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
char upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

FormatResult fail(std::string_view why) {
  return FormatResult{{}, why};
}

void append_lower(std::string& out, std::string_view s) {
  for (const char c : s) out.push_back(lower(c));
}

// RFC 5322 atext.
bool is_atext(char c) {
  static constexpr std::string_view kOthers = R"(!#$%&'*+-/=?^_`{|}~)";
  return is_alnum(c) || kOthers.find(c) != std::string_view::npos;
}

/// Dot-separated LDH labels of 1..63 characters, not starting or ending with '-'.
/// `labels` receives the label count; `last_numeric` whether the last label is all digits.
bool is_ldh_hostname(std::string_view host, int& labels, bool& last_numeric) {
  labels = 0;
  last_numeric = false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = host.find('.', start);
    const std::string_view label =
        host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    last_numeric = true;
    for (const char c : label) {
      if (!is_alnum(c) && c != '-') return false;
      if (!is_digit(c)) last_numeric = false;
    }
    ++labels;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// RFC 3261 user: unreserved / user-unreserved (escapes are checked by the caller).
bool is_sip_user_char(char c) {
  static constexpr std::string_view kOthers = R"(-_.!~*'()&=+$,;?/)";
  return is_alnum(c) || kOthers.find(c) != std::string_view::npos;
}

// RFC 3261 uri-parameters and headers: unreserved, param-unreserved, hnv-unreserved, separators.
bool is_sip_tail_char(char c) {
  static constexpr std::string_view kOthers = R"(-_.!~*'()[]/:&+$;=?,)";
  return is_alnum(c) || kOthers.find(c) != std::string_view::npos;
}

/// Checks %HH escapes and the character class of `s`.
bool valid_escaped(std::string_view s, bool (*allowed)(char)) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      i += 2;
    } else if (!allowed(s[i])) {
      return false;
    }
  }
  return true;
}

}  // namespace

FormatResult normalise_phone(std::string_view text) {
  // Generous for separators, far below anything that needs a loop guard.
  if (text.size() > 64) return fail("too long to be a phone number");
  std::string digits;
  digits.reserve(16);
  bool plus = false;
  for (const char c : text) {
    if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') continue;
    if (is_digit(c)) {
      digits.push_back(c);
    } else if (c == '+' && !plus && digits.empty()) {
      plus = true;
    } else {
      return fail("only digits, a leading +, spaces, dashes, dots and parentheses are allowed");
    }
  }
  if (!plus) {
    if (digits.size() < 2 || digits[0] != '0' || digits[1] != '0') {
      return fail("needs a country code: a leading + or 00");
    }
    digits.erase(0, 2);
  }
  if (digits.size() < 8 || digits.size() > 15) return fail("E.164 has 8 to 15 digits after +");
  if (digits[0] == '0') return fail("a country code never starts with 0");
  return FormatResult{"+" + digits, {}};
}

FormatResult normalise_email(std::string_view text) {
  if (text.size() > 254) return fail("longer than 254 characters");
  const std::size_t at = text.find('@');
  if (at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) {
    return fail("needs exactly one @");
  }
  const std::string_view local = text.substr(0, at);
  const std::string_view domain = text.substr(at + 1);
  if (local.empty() || local.size() > 64) return fail("local part must be 1 to 64 characters");
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return fail("local part has a leading, trailing or double dot");
  }
  for (const char c : local) {
    if (c != '.' && !is_atext(c)) return fail("local part has a character outside atext");
  }
  int labels = 0;
  bool last_numeric = false;
  if (!is_ldh_hostname(domain, labels, last_numeric)) {
    return fail("domain labels must be letters, digits and inner hyphens, 1 to 63 long");
  }
  if (labels < 2 || last_numeric) return fail("domain needs a dot and a non-numeric top label");
  FormatResult result;
  result.value.reserve(text.size());
  result.value.append(local);
  result.value.push_back('@');
  append_lower(result.value, domain);
  return result;
}

FormatResult normalise_sip_uri(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes) return fail("too long");
  std::size_t scheme_len = 0;
  if (text.size() > 4 && lower(text[0]) == 's' && lower(text[1]) == 'i' && lower(text[2]) == 'p') {
    if (text[3] == ':') {
      scheme_len = 4;
    } else if (lower(text[3]) == 's' && text[4] == ':') {
      scheme_len = 5;
    }
  }
  if (scheme_len == 0) return fail("must start with sip: or sips:");
  const std::string_view rest = text.substr(scheme_len);
  const std::size_t at = rest.find('@');
  if (at == std::string_view::npos || at == 0) return fail("needs user@host");
  const std::string_view user = rest.substr(0, at);
  if (!valid_escaped(user, is_sip_user_char)) return fail("user part has an invalid character");

  std::string_view hostport = rest.substr(at + 1);
  std::string_view tail;
  if (const std::size_t cut = hostport.find_first_of(";?"); cut != std::string_view::npos) {
    tail = hostport.substr(cut);
    hostport = hostport.substr(0, cut);
  }
  std::string_view host = hostport;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos || close < 3) return fail("bad IPv6 reference");
    for (const char c : host.substr(1, close - 1)) {
      if (!is_hex(c) && c != ':' && c != '.') return fail("bad IPv6 reference");
    }
    if (close + 1 < host.size()) {
      if (host[close + 1] != ':') return fail("bad IPv6 reference");
      port = host.substr(close + 2);
      if (port.empty()) return fail("empty port");
    }
    host = host.substr(0, close + 1);
  } else {
    if (const std::size_t colon = host.find(':'); colon != std::string_view::npos) {
      port = host.substr(colon + 1);
      host = host.substr(0, colon);
      if (port.empty()) return fail("empty port");
    }
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // fully qualified form
    int labels = 0;
    bool last_numeric = false;
    if (host.empty() || !is_ldh_hostname(host, labels, last_numeric)) {
      return fail("host must be a hostname, an IPv4 address or [IPv6]");
    }
  }
  if (!port.empty()) {
    if (port.size() > 5) return fail("port out of range");
    int value = 0;
    for (const char c : port) {
      if (!is_digit(c)) return fail("port must be digits");
      value = value * 10 + (c - '0');
    }
    if (value == 0 || value > 65535) return fail("port out of range");
  }
  if (!valid_escaped(tail, is_sip_tail_char)) {
    return fail("parameters or headers have an invalid character");
  }
  FormatResult result;
  result.value.reserve(text.size());
  append_lower(result.value, text.substr(0, scheme_len));
  result.value.append(user);
  result.value.push_back('@');
  append_lower(result.value, rest.substr(at + 1, hostport.size()));
  result.value.append(tail);
  return result;
}

FormatResult normalise_locale(std::string_view text) {
  if (text.size() != 2 && text.size() != 5 && text.size() != 6) {
    return fail("expected language or language-REGION, e.g. en or en-US");
  }
  if (!is_alpha(text[0]) || !is_alpha(text[1])) return fail("language must be two letters");
  FormatResult result;
  result.value.reserve(text.size());
  result.value.push_back(lower(text[0]));
  result.value.push_back(lower(text[1]));
  if (!reference::is_iso639_1(result.value)) return fail("language is not an ISO 639-1 code");
  if (text.size() == 2) return result;
  if (text[2] != '-' && text[2] != '_') return fail("language and region are separated by -");
  result.value.push_back('-');
  const std::string_view region = text.substr(3);
  if (region.size() == 2 && is_alpha(region[0]) && is_alpha(region[1])) {
    result.value.push_back(upper(region[0]));
    result.value.push_back(upper(region[1]));
  } else if (region.size() == 3 && is_digit(region[0]) && is_digit(region[1]) &&
             is_digit(region[2])) {
    result.value.append(region);
  } else {
    return fail("region must be two letters or three digits");
  }
  return result;
}

bool is_phone_extension(std::string_view text) {
  if (text.empty() || text.size() > 7) return false;
  for (const char c : text) {
    if (!is_digit(c)) return false;
  }
  return true;
}

bool is_connector_name(std::string_view text) {
  if (text.empty() || text.size() > 64) return false;
  for (const char c : text) {
    if (!(c >= 'a' && c <= 'z') && !is_digit(c) && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace opsync
