#include "events/value_formats.h"

#include <gtest/gtest.h>

#include <string>

namespace opsync {
namespace {

struct Normalisation {
  std::string input;
  std::string expected;  // empty: invalid
};

void expect_table(FormatResult (*normalise)(std::string_view),
                  std::initializer_list<Normalisation> cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    const FormatResult r = normalise(c.input);
    if (c.expected.empty()) {
      EXPECT_FALSE(r.ok()) << "normalised to " << r.value;
      EXPECT_TRUE(r.value.empty());
    } else {
      EXPECT_TRUE(r.ok()) << r.problem;
      EXPECT_EQ(r.value, c.expected);
    }
  }
}

TEST(Phone, NormalisesToE164) {
  expect_table(normalise_phone, {
                                    {"+1 (555) 123-4567", "+15551234567"},
                                    {"0044 20 7946 0958", "+442079460958"},
                                    {"+44.20.7946.0958", "+442079460958"},
                                    {"+351 912 345 678", "+351912345678"},
                                    {"+15551234567", "+15551234567"},
                                    {"(+49) 30-1234567", "+49301234567"},
                                    {"+12345678", "+12345678"},                // 8 digits
                                    {"+123456789012345", "+123456789012345"},  // 15 digits
                                    {"12345", ""},
                                    {"+0123456789", ""},
                                    {"5551234567", ""},         // no country code
                                    {"0555 123 4567", ""},      // national format
                                    {"+1234567", ""},           // 7 digits
                                    {"+1234567890123456", ""},  // 16 digits
                                    {"+1 555 123 4567 ext 2", ""},
                                    {"+1/555/1234567", ""},
                                    {"+1 555\t123 4567", ""},
                                    {"++15551234567", ""},
                                    {"1+5551234567", ""},
                                    {"00", ""},
                                    {"+", ""},
                                    {"", ""},
                                    {"000441234567890", ""},  // 00 then a leading 0
                                    {"+1５５５1234567", ""},  // full-width digits
                                });
}

TEST(Phone, RejectsHugeInputWithoutWork) {
  EXPECT_FALSE(normalise_phone(std::string(100000, '1')).ok());
}

TEST(Email, ChecksAddrSpecAndLowercasesDomain) {
  expect_table(normalise_email,
               {
                   {"jane.doe@example.com", "jane.doe@example.com"},
                   {"Jane.Doe@Example.COM", "Jane.Doe@example.com"},
                   {"o'brien+tag@mail.example.co.uk", "o'brien+tag@mail.example.co.uk"},
                   {"x@a-b.example", "x@a-b.example"},
                   {"a!#$%&'*+/=?^_`{|}~-@example.org", "a!#$%&'*+/=?^_`{|}~-@example.org"},
                   {"user@xn--bcher-kva.example", "user@xn--bcher-kva.example"},
                   {"plainaddress", ""},
                   {"@example.com", ""},
                   {"jane@", ""},
                   {"jane@@example.com", ""},
                   {"jane@doe@example.com", ""},
                   {"jane@localhost", ""},    // needs a dot
                   {"jane@example.123", ""},  // numeric TLD
                   {"jane@192.168.0.1", ""},
                   {"jane@[192.168.0.1]", ""},  // domain literal
                   {".jane@example.com", ""},
                   {"jane.@example.com", ""},
                   {"ja..ne@example.com", ""},
                   {"\"jane doe\"@example.com", ""},  // quoted local part
                   {"jane doe@example.com", ""},
                   {"jane@-example.com", ""},
                   {"jane@example-.com", ""},
                   {"jane@exa_mple.com", ""},
                   {"jane@example..com", ""},
                   {"jane@example.com.", ""},
                   {"jané@example.com", ""},
                   {" jane@example.com", ""},
                   {"jane@example.com\n", ""},
               });
}

TEST(Email, LengthLimits) {
  const std::string local64(64, 'a');
  EXPECT_TRUE(normalise_email(local64 + "@example.com").ok());
  EXPECT_FALSE(normalise_email(local64 + "a@example.com").ok());
  const std::string label63(63, 'b');
  EXPECT_TRUE(normalise_email("a@" + label63 + ".com").ok());
  EXPECT_FALSE(normalise_email("a@" + label63 + "b.com").ok());
  // 254 bytes in all is the limit.
  const std::string domain = label63 + "." + label63 + "." + label63 + "." + std::string(57, 'c');
  const std::string at_limit = std::string(3, 'a') + "@" + domain + "x";
  ASSERT_EQ(at_limit.size(), 254u);
  EXPECT_TRUE(normalise_email(at_limit).ok());
  EXPECT_FALSE(normalise_email("a" + at_limit).ok());
}

FormatResult sip(std::string_view text) {
  return normalise_sip_uri(text, 255);
}

TEST(SipUri, ChecksUserAtHost) {
  expect_table(sip, {
                        {"sip:jane@example.com", "sip:jane@example.com"},
                        {"SIPS:Jane@PBX.Example.com:5061", "sips:Jane@pbx.example.com:5061"},
                        {"sip:+15551234567@sip.example.com;user=phone",
                         "sip:+15551234567@sip.example.com;user=phone"},
                        {"sip:jane%20doe@10.0.0.1", "sip:jane%20doe@10.0.0.1"},
                        {"sip:jane@[2001:db8::1]:5060", "sip:jane@[2001:db8::1]:5060"},
                        {"sip:jane@example.com?subject=hi", "sip:jane@example.com?subject=hi"},
                        {"sip:example.com", ""},  // no user
                        {"sip:@example.com", ""},
                        {"sip:jane@", ""},
                        {"tel:+15551234567", ""},
                        {"jane@example.com", ""},
                        {"sip:jane doe@example.com", ""},
                        {"sip:jane@exa mple.com", ""},
                        {"sip:jane@example.com:", ""},
                        {"sip:jane@example.com:99999", ""},
                        {"sip:jane@example.com:0", ""},
                        {"sip:jane@example.com:50a", ""},
                        {"sip:jane@[zz::1]", ""},
                        {"sip:jane%2@example.com", ""},  // broken escape
                        {"sip:jane@example.com;x=<y>", ""},
                        {"sip:", ""},
                        {"", ""},
                    });
  EXPECT_FALSE(normalise_sip_uri("sip:" + std::string(300, 'a') + "@example.com", 255).ok());
}

TEST(Locale, NormalisesCase) {
  expect_table(normalise_locale, {
                                     {"en-US", "en-US"},
                                     {"pt-BR", "pt-BR"},
                                     {"en", "en"},
                                     {"EN-us", "en-US"},
                                     {"pt_br", "pt-BR"},
                                     {"es-419", "es-419"},
                                     {"FR", "fr"},
                                     {"xx-US", ""},   // not ISO 639-1
                                     {"eng-US", ""},  // three-letter language
                                     {"en-USA", ""},
                                     {"en-U", ""},
                                     {"en-12", ""},
                                     {"en-1234", ""},
                                     {"en US", ""},
                                     {"en-", ""},
                                     {"e", ""},
                                     {"", ""},
                                     {"zh-Hans-CN", ""},  // scripts are outside contract v1
                                 });
}

TEST(PhoneExtension, OneToSevenDigits) {
  EXPECT_TRUE(is_phone_extension("1"));
  EXPECT_TRUE(is_phone_extension("0042"));
  EXPECT_TRUE(is_phone_extension("1234567"));
  EXPECT_FALSE(is_phone_extension(""));
  EXPECT_FALSE(is_phone_extension("12345678"));
  EXPECT_FALSE(is_phone_extension("12a"));
  EXPECT_FALSE(is_phone_extension(" 12"));
}

TEST(ConnectorName, LowercaseAlnumDashUnderscore) {
  EXPECT_TRUE(is_connector_name("glia"));
  EXPECT_TRUE(is_connector_name("plugchat-eu_2"));
  EXPECT_TRUE(is_connector_name(std::string(64, 'a')));
  EXPECT_FALSE(is_connector_name(std::string(65, 'a')));
  EXPECT_FALSE(is_connector_name(""));
  EXPECT_FALSE(is_connector_name("Glia"));
  EXPECT_FALSE(is_connector_name("glia.eu"));
}

}  // namespace
}  // namespace opsync
