#include "vendorsim/http_util.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <ctime>

namespace opsync::vendorsim {
namespace {

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

std::optional<std::string> base64_decode(std::string_view in) {
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = value_of(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::string form_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%' && i + 2 < in.size() &&
               std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

bool is_index(std::string_view part) {
  return !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

// Stores `value` at the bracket path of `key` ("a[b][]") inside `root`.
void assign_path(json::object& root, std::string_view key, json::value value) {
  std::vector<std::string> parts;
  std::size_t open = key.find('[');
  parts.emplace_back(key.substr(0, open));
  while (open != std::string_view::npos) {
    std::size_t close = key.find(']', open);
    if (close == std::string_view::npos) {  // malformed: keep the whole key flat
      root[key] = std::move(value);
      return;
    }
    parts.emplace_back(key.substr(open + 1, close - open - 1));
    open = key.find('[', close);
  }
  json::value* slot = &root[parts.front()];
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    if (part.empty() || is_index(part)) {
      if (!slot->is_array()) *slot = json::array();
      json::array& array = slot->as_array();
      std::size_t index = part.empty() ? array.size() : std::stoul(part);
      if (index > 10000) return;  // refuse absurd indices rather than allocate
      if (array.size() <= index) array.resize(index + 1);
      slot = &array[index];
    } else {
      if (!slot->is_object()) *slot = json::object();
      slot = &slot->as_object()[part];
    }
  }
  *slot = std::move(value);
}

}  // namespace

HttpResponse json_response(const HttpRequest& req, http::status status, const json::value& body) {
  HttpResponse res{status, req.version()};
  res.set(http::field::server, "opsync-vendorsim");
  res.set(http::field::content_type, "application/json");
  res.keep_alive(req.keep_alive());
  res.body() = json::serialize(body);
  res.prepare_payload();
  return res;
}

HttpResponse empty_response(const HttpRequest& req, http::status status) {
  HttpResponse res{status, req.version()};
  res.set(http::field::server, "opsync-vendorsim");
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

std::optional<std::string> Target::param(std::string_view key) const {
  for (const auto& [k, v] : query)
    if (k == key) return v;
  return std::nullopt;
}

bool Target::path_is(std::initializer_list<std::string_view> expected) const {
  if (expected.size() != segments.size()) return false;
  std::size_t i = 0;
  for (std::string_view part : expected) {
    if (!part.empty() && part != segments[i]) return false;
    ++i;
  }
  return true;
}

std::optional<Target> parse_target(std::string_view target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  Target out;
  for (auto segment : parsed->segments()) out.segments.emplace_back(segment);
  if (!out.segments.empty() && out.segments.back().empty()) out.segments.pop_back();
  for (auto param : parsed->params())
    out.query.emplace_back(param.key, param.has_value ? std::string(param.value) : std::string());
  return out;
}

std::string_view header(const HttpRequest& req, std::string_view name) {
  auto it = req.find(name);
  if (it == req.end()) return {};
  return it->value();
}

std::optional<std::string> bearer_token(const HttpRequest& req) {
  std::string_view value = header(req, "Authorization");
  if (value.size() < 7 || !iequals(value.substr(0, 7), "Bearer ")) return std::nullopt;
  value.remove_prefix(7);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (value.empty()) return std::nullopt;
  return std::string(value);
}

std::optional<std::pair<std::string, std::string>> basic_credentials(const HttpRequest& req) {
  std::string_view value = header(req, "Authorization");
  if (value.size() < 6 || !iequals(value.substr(0, 6), "Basic ")) return std::nullopt;
  auto decoded = base64_decode(value.substr(6));
  if (!decoded) return std::nullopt;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return std::pair{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

bool has_media_type(const HttpRequest& req, std::string_view media_type) {
  std::string_view value = header(req, "Content-Type");
  value = value.substr(0, value.find(';'));
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return iequals(value, media_type);
}

std::optional<json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

json::object parse_form(std::string_view body) {
  json::object out;
  while (!body.empty()) {
    std::string_view pair = body.substr(0, body.find('&'));
    body.remove_prefix(std::min(body.size(), pair.size() + 1));
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = form_decode(pair.substr(0, eq));
    std::string value =
        eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1));
    assign_path(out, key, json::string(value));
  }
  return out;
}

json::object expand_bracket_keys(const json::object& object) {
  json::object out;
  for (const auto& [key, value] : object) {
    if (key.find('[') == std::string_view::npos)
      out[key] = value;
    else
      assign_path(out, key, value);
  }
  return out;
}

std::string random_string(Rng& rng, std::size_t length, std::string_view alphabet) {
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string out(length, ' ');
  for (char& c : out) c = alphabet[pick(rng)];
  return out;
}

std::string random_alnum(Rng& rng, std::size_t length) {
  return random_string(rng, length, kAlnum);
}

std::string random_uuid(Rng& rng) {
  std::string hex = random_string(rng, 32, "0123456789abcdef");
  hex[12] = '4';
  hex[16] = "89ab"[rng() % 4];
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
         hex.substr(16, 4) + '-' + hex.substr(20);
}

std::string iso8601(std::chrono::system_clock::time_point time) {
  auto seconds = std::chrono::system_clock::to_time_t(time);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buffer + n, sizeof buffer - n, ".%03dZ", static_cast<int>(millis));
  return buffer;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::int64_t> json_int(const json::value& value) {
  if (value.is_int64()) return value.as_int64();
  if (value.is_uint64() && value.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(value.as_uint64());
  return std::nullopt;
}

std::vector<std::string> unknown_keys(const json::object& object,
                                      std::initializer_list<std::string_view> allowed) {
  std::vector<std::string> out;
  for (const auto& entry : object)
    if (std::find(allowed.begin(), allowed.end(), entry.key()) == allowed.end())
      out.emplace_back(entry.key());
  return out;
}

bool is_e164(std::string_view phone) {
  if (phone.size() < 3 || phone.size() > 16 || phone[0] != '+' || phone[1] == '0') return false;
  return std::all_of(phone.begin() + 1, phone.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

bool is_email(std::string_view email) {
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos)
    return false;
  if (email.find_first_of(" \t\r\n") != std::string_view::npos) return false;
  std::string_view domain = email.substr(at + 1);
  auto dot = domain.find('.');
  return dot != std::string_view::npos && dot > 0 && domain.back() != '.';
}

bool is_iso639_1(std::string_view code) {
  static constexpr std::string_view kCodes =
      "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv "
      "cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr "
      "ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw "
      "ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv "
      "ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr "
      "ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi "
      "yo za zh zu";
  if (code.size() != 2 || code.find(' ') != std::string_view::npos) return false;
  for (std::size_t i = 0; i + 2 <= kCodes.size(); i += 3)
    if (kCodes.substr(i, 2) == code) return true;
  return false;
}

}  // namespace opsync::vendorsim
