#pragma once
// The text layout of the fuzz targets' inputs, so that seeds are readable files:
//
//   response := [STATUS "\n"] *(NAME ":" VALUE "\n") ["\n" BODY]
//   script   := response *("\n~~~\n" response)
//
// STATUS is 1 to 3 digits; 0 stands for a transport error (no response). A first line that is not
// a status is a header line (or the body, when it has no colon) and the status is the default.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_message.h"

namespace opsync::fuzz {

struct Response {
  unsigned status = 200;
  HttpHeaders headers;
  std::string body;
};

inline Response parse_response(std::string_view text, unsigned default_status = 200) {
  Response r;
  r.status = default_status;
  auto take_line = [&text]() {
    const std::size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    return line;
  };
  const std::size_t first_eol = text.find('\n');
  const std::string_view first = text.substr(0, first_eol);
  if (!first.empty() && first.size() <= 3 &&
      first.find_first_not_of("0123456789") == std::string_view::npos) {
    r.status = 0;
    for (char c : first) r.status = r.status * 10 + static_cast<unsigned>(c - '0');
    take_line();
  }
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    const std::size_t colon = line.find(':');
    if (line.empty()) {
      take_line();
      break;
    }
    if (colon == std::string_view::npos) break;  // the body starts here
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    r.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    take_line();
  }
  r.body = std::string(text);
  return r;
}

inline std::vector<Response> parse_script(std::string_view text, std::size_t max_responses) {
  constexpr std::string_view kSeparator = "\n~~~\n";
  std::vector<Response> out;
  while (out.size() < max_responses) {
    const std::size_t end = text.find(kSeparator);
    out.push_back(parse_response(text.substr(0, end)));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + kSeparator.size());
  }
  return out;
}

}  // namespace opsync::fuzz
