// Every log record is one line, whatever its arguments hold: text from a vendor or a broker cannot
// start a forged record (issue 13, item 13).

#include "app/logging.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace opsync {
namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// What one record with `message` as a quoted value looks like through the configured logger.
std::string log_one(const std::string& format, bool journald, const std::string& vendor_text) {
  std::ostringstream out;
  auto logger =
      make_logger(std::make_shared<spdlog::sinks::ostream_sink_st>(out), "info", format, journald);
  logger->warn("event=push_rejected connector=glia status=422 message=\"{}\"", vendor_text);
  logger->flush();
  return out.str();
}

const std::string kForgery =
    "Phone number is invalid\nts=2026-12-01T00:00:00.000Z level=error event=forged\r\n"
    "level=info event=forged_too\n";

TEST(Logging, AForgedRecordStaysInsideItsLineInLogfmt) {
  for (const bool journald : {false, true}) {
    const std::string text = log_one("logfmt", journald, kForgery);
    const auto got = lines(text);
    ASSERT_EQ(got.size(), 1u) << text;
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(got[0].rfind(journald ? "level=warning event=push_rejected" : "ts=", 0), 0u)
        << got[0];
    EXPECT_NE(got[0].find(R"(invalid\nts=2026-12-01T00:00:00.000Z level=error event=forged\r\n)"
                          R"(level=info event=forged_too\n")"),
              std::string::npos)
        << got[0];
  }
}

TEST(Logging, ControlCharactersAndUnicodeLineBreaksAreEscaped) {
  const std::string text = log_one("logfmt", true,
                                   std::string("a\tb\x1b[31mc\0d\x7f"
                                               "e\xc2\x85"
                                               "f\xe2\x80\xa8g",
                                               20));
  ASSERT_EQ(lines(text).size(), 1u) << text;
  EXPECT_NE(text.find(R"(message="a\tb\u001b[31mc\u0000d\u007fe\u0085f\u2028g")"),
            std::string::npos)
      << text;
  // Printable text, UTF-8 included, is left alone.
  const std::string plain = log_one("logfmt", true, "Zoë 李 \"quoted\" back\\slash");
  EXPECT_NE(plain.find("message=\"Zoë 李 \"quoted\" back\\slash\""), std::string::npos) << plain;
}

TEST(Logging, JsonLinesAreValidJsonWithTheMessageIntact) {
  const std::string vendor = kForgery + "{\"errors\":[\"x\"]} back\\slash \x01 bad\xff byte";
  for (const bool journald : {false, true}) {
    const std::string text = log_one("json", journald, vendor);
    const auto got = lines(text);
    ASSERT_EQ(got.size(), 1u) << text;
    boost::system::error_code ec;
    const boost::json::value v = boost::json::parse(got[0], ec);
    ASSERT_FALSE(ec) << ec.message() << ": " << got[0];
    EXPECT_EQ(v.at("level"), "warning");
    EXPECT_EQ(v.as_object().contains("ts"), !journald);
    std::string expected =
        "event=push_rejected connector=glia status=422 message=\"" + vendor + "\"";
    expected.replace(expected.find("\xff"), 1, "\xef\xbf\xbd");  // U+FFFD for the invalid byte
    EXPECT_EQ(v.at("msg").as_string(), expected);
  }
}

}  // namespace
}  // namespace opsync
