#include "common/http_message.h"

#include <algorithm>

namespace opsync {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

class HttpErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "opsync.http"; }
  std::string message(int ev) const override {
    switch (static_cast<HttpError>(ev)) {
      case HttpError::timeout:
        return "HTTP request timed out";
      case HttpError::response_too_large:
        return "HTTP response over the size limit";
      case HttpError::invalid_request:
        return "invalid HTTP request";
      case HttpError::shut_down:
        return "HTTP client shut down";
    }
    return "unknown HTTP client error";
  }
};

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::optional<std::string_view> find_header(const HttpHeaders& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

void set_header(HttpHeaders& headers, std::string_view name, std::string_view value) {
  std::erase_if(headers, [&](const HttpHeader& h) { return iequals(h.name, name); });
  headers.push_back(HttpHeader{std::string(name), std::string(value)});
}

const boost::system::error_category& http_error_category() noexcept {
  static const HttpErrorCategory category;
  return category;
}

boost::system::error_code make_error_code(HttpError e) noexcept {
  return {static_cast<int>(e), http_error_category()};
}

}  // namespace opsync
