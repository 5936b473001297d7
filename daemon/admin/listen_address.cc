#include "admin/listen_address.h"

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <stdexcept>
#include <string>

namespace opsync::admin {

boost::asio::ip::tcp::endpoint parse_listen_address(std::string_view listen) {
  auto fail = [&](const char* why) -> boost::asio::ip::tcp::endpoint {
    throw std::invalid_argument("admin listen address \"" + std::string(listen) + "\": " + why);
  };
  const auto colon = listen.rfind(':');
  if (colon == std::string_view::npos) return fail("expected HOST:PORT");
  std::string_view host = listen.substr(0, colon);
  const std::string_view port_text = listen.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return fail("write an IPv6 address in brackets, as [::1]:9464");
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return fail("the port must be a number from 0 to 65535");
  }
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code address_error;
  const auto address = boost::asio::ip::make_address(std::string(host), address_error);
  if (address_error) return fail("the host must be an IP address or localhost");
  return {address, static_cast<unsigned short>(port)};
}

}  // namespace opsync::admin
