// libFuzzer target for EventDecoder::decode: any bytes must give an event or a reason, never a
// crash, a hang or a sanitizer report.
//
// Build (clang): clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Idaemon
//   tests/fuzz/event_decoder_fuzz.cc daemon/events/*.cc -lboost_json -o event_decoder_fuzz
// Input layout: byte 0 = flags, byte 1 = key length, then the key, then the value. With flag
// 0x08 the value starts with "name:value" header lines ended by an empty line.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "events/event_decoder.h"

namespace {

constexpr std::uint8_t kBinaryHeaders = 0x01;   // add ce_* headers: binary mode
constexpr std::uint8_t kStructuredType = 0x02;  // add content-type: application/cloudevents+json
constexpr std::uint8_t kSmallLimits = 0x04;     // tiny limits, to reach the limit branches
constexpr std::uint8_t kInputHeaders = 0x08;    // headers taken from the input itself

const opsync::EventDecoder& decoder(bool small) {
  static const opsync::EventDecoder normal{opsync::DecoderLimits{}};
  static const opsync::EventDecoder tiny{opsync::DecoderLimits{.max_message_bytes = 256,
                                                               .max_json_depth = 4,
                                                               .max_id_chars = 8,
                                                               .max_text_chars = 8,
                                                               .max_team_chars = 4,
                                                               .max_list_items = 2}};
  return small ? tiny : normal;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t flags = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::size_t key_len = data[1] < rest.size() ? data[1] : rest.size();
  const std::string_view key = rest.substr(0, key_len);
  std::string_view value = rest.substr(key_len);

  std::vector<opsync::MessageHeader> headers;
  if (flags & kBinaryHeaders) {
    headers.push_back({"ce_specversion", "1.0"});
    headers.push_back({"ce_id", "fuzz-1"});
    headers.push_back({"ce_source", "fuzz"});
    headers.push_back({"ce_type", "operator.updated"});
  }
  if (flags & kStructuredType) headers.push_back({"content-type", "application/cloudevents+json"});
  if (flags & kInputHeaders) {
    while (!value.empty()) {
      const std::size_t eol = value.find('\n');
      const std::string_view line = value.substr(0, eol);
      value = eol == std::string_view::npos ? std::string_view{} : value.substr(eol + 1);
      if (line.empty()) break;
      const std::size_t colon = line.find(':');
      headers.push_back(
          {std::string(line.substr(0, colon)),
           colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 1))});
    }
  }

  const opsync::DecodeOutcome outcome =
      decoder((flags & kSmallLimits) != 0).decode(key, value, headers);
  if (outcome.ok() == outcome.error.reason.empty()) return 0;
  __builtin_trap();  // an outcome must be exactly one of: event, or reason
}
