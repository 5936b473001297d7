#include "admin/listen_address.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace opsync::admin {
namespace {

TEST(ListenAddress, ParsesHostAndPort) {
  auto e = parse_listen_address("127.0.0.1:9464");
  EXPECT_EQ(e.address().to_string(), "127.0.0.1");
  EXPECT_EQ(e.port(), 9464);
  e = parse_listen_address("[::1]:0");
  EXPECT_TRUE(e.address().is_v6());
  EXPECT_EQ(e.port(), 0);
  EXPECT_EQ(parse_listen_address("localhost:80").address().to_string(), "127.0.0.1");
  EXPECT_EQ(parse_listen_address("0.0.0.0:9464").address().to_string(), "0.0.0.0");
}

TEST(ListenAddress, RejectsWithTheValueInTheMessage) {
  for (const char* bad : {"9464", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:9x", "::1:9464",
                          "example.com:9464", ":9464"}) {
    try {
      parse_listen_address(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace opsync::admin
