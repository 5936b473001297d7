#pragma once
// The admin server's `listen` setting: `HOST:PORT` or `[IPV6]:PORT`.

#include <boost/asio/ip/tcp.hpp>
#include <string_view>

namespace opsync::admin {

/// Parses `127.0.0.1:9464`, `0.0.0.0:9464`, `[::1]:9464` or `localhost:9464` (127.0.0.1).
/// HOST must be an IP address or `localhost` (no DNS at start-up); PORT 0 asks the kernel for
/// one. Throws std::invalid_argument naming the value.
boost::asio::ip::tcp::endpoint parse_listen_address(std::string_view listen);

}  // namespace opsync::admin
