#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdlib>
#include <ctime>
#include <string_view>

namespace opsync {
namespace {

const char kHex[] = "0123456789abcdef";

void append(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

void append_u(spdlog::memory_buf_t& dest, unsigned code) {
  const char u[] = {'\\',
                    'u',
                    kHex[(code >> 12) & 0xf],
                    kHex[(code >> 8) & 0xf],
                    kHex[(code >> 4) & 0xf],
                    kHex[code & 0xf]};
  dest.append(u, u + sizeof u);
}

/// The length of the valid UTF-8 sequence at the start of `s`, or 0 if it is not one.
std::size_t utf8_length(std::string_view s) {
  const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const auto cont = [&](std::size_t i) { return i < s.size() && (b(i) & 0xc0) == 0x80; };
  const unsigned c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xe0 && b(1) < 0xa0) return 0;   // overlong
    if (c == 0xed && b(1) >= 0xa0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xf0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xf4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

/// `%*`: the message, escaped so that a record is always one line. Control characters (C0, DEL,
/// C1) and U+2028/U+2029 become \n, \r, \t or \uXXXX. For the JSON format, `"` and `\` are
/// escaped too and bytes that are not UTF-8 become U+FFFD, so the line is valid JSON; in logfmt
/// they are kept (a message's own `\"` escapes stay as they are).
class EscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  explicit EscapedMessage(bool json) : json_(json) {}

  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    std::size_t i = 0;
    while (i < text.size()) {
      // The longest run that needs nothing, copied at once.
      std::size_t j = i;
      while (j < text.size() && plain(static_cast<unsigned char>(text[j]))) ++j;
      append(dest, text.substr(i, j - i));
      if (j == text.size()) break;
      i = j + escape(text.substr(j), dest);
    }
  }

  std::unique_ptr<spdlog::custom_flag_formatter> clone() const override {
    return std::make_unique<EscapedMessage>(json_);
  }

 private:
  bool plain(unsigned char c) const {
    return c >= 0x20 && c < 0x7f && !(json_ && (c == '"' || c == '\\'));
  }

  /// Writes the character at the start of `s` (not plain), escaped as needed; returns its bytes.
  std::size_t escape(std::string_view s, spdlog::memory_buf_t& dest) const {
    const unsigned c = static_cast<unsigned char>(s[0]);
    switch (c) {
      case '\n':
        append(dest, "\\n");
        return 1;
      case '\r':
        append(dest, "\\r");
        return 1;
      case '\t':
        append(dest, "\\t");
        return 1;
      case '"':
        append(dest, "\\\"");
        return 1;
      case '\\':
        append(dest, "\\\\");
        return 1;
      default:
        break;
    }
    if (c < 0x80) {  // other C0 controls and DEL
      append_u(dest, c);
      return 1;
    }
    const std::size_t n = utf8_length(s);
    if (n == 0) {  // not UTF-8
      if (json_) {
        append_u(dest, 0xfffd);
      } else {
        dest.push_back(s[0]);
      }
      return 1;
    }
    const auto b1 = static_cast<unsigned char>(s[1]);
    if (n == 2 && c == 0xc2 && b1 < 0xa0) {  // C1 controls, U+0080..U+009F (NEL among them)
      append_u(dest, b1);
      return 2;
    }
    if (n == 3 && c == 0xe2 && b1 == 0x80 &&
        (static_cast<unsigned char>(s[2]) == 0xa8 || static_cast<unsigned char>(s[2]) == 0xa9)) {
      append_u(dest, static_cast<unsigned char>(s[2]) == 0xa8 ? 0x2028 : 0x2029);
      return 3;
    }
    append(dest, s.substr(0, n));
    return n;
  }

  bool json_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_log_formatter(const std::string& format, bool journald) {
  // Messages are written as logfmt key=value pairs ("event=... operator=..."); the JSON format
  // wraps each in an object so log shippers can parse the envelope. Either way the message goes
  // through EscapedMessage (%*): one record, one line, whatever a vendor's text holds.
  std::string pattern;
  if (format == "json") {
    pattern = journald ? R"({"level":"%l","msg":"%*"})"
                       : R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%*"})";
  } else {
    pattern = journald ? "level=%l %*" : "ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l %*";
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<EscapedMessage>('*', format == "json").set_pattern(pattern);
  return formatter;
}

std::shared_ptr<spdlog::logger> make_logger(spdlog::sink_ptr sink, const std::string& level,
                                            const std::string& format, bool journald) {
  auto logger = std::make_shared<spdlog::logger>("opsyncd", std::move(sink));
  logger->set_formatter(make_log_formatter(format, journald));
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::warn);
  return logger;
}

void setup_logging(const std::string& level, const std::string& format) {
  const bool journald = std::getenv("JOURNAL_STREAM") != nullptr;
  spdlog::set_default_logger(
      make_logger(std::make_shared<spdlog::sinks::stderr_sink_mt>(), level, format, journald));
}

}  // namespace opsync
