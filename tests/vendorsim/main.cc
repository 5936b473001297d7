// opsync-vendorsim: the five vendor simulators as a program. Prints the ports line, then serves
// until SIGTERM or SIGINT. See docs/vendorsim.md.
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vendorsim/vendor_simulators.h"

namespace {

using namespace opsync::vendorsim;

template <typename Int>
Int parse_int(std::string_view text, std::string_view option) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size())
    throw std::invalid_argument(std::string(option) + ": not a valid number: " + std::string(text));
  return value;
}

// "vendor=JSON": the fault switches of one vendor at start.
void parse_faults(Options& o, std::string_view value) {
  auto eq = value.find('=');
  auto vendor = vendor_from_name(value.substr(0, eq));
  if (eq == std::string_view::npos || !vendor)
    throw std::invalid_argument("--faults: expected VENDOR=JSON, got " + std::string(value));
  boost::system::error_code ec;
  auto json = boost::json::parse(value.substr(eq + 1), ec);
  std::string error;
  auto config = ec ? std::nullopt : fault_config_from_json(json, error);
  if (!config)
    throw std::invalid_argument("--faults " + std::string(vendor_name(*vendor)) + ": " +
                                (ec ? ec.message() : error));
  o.faults[vendor->index] = *config;
}

struct Flag {
  std::string name;
  std::string_view help;
  std::function<void(Options&, std::string_view)> set;  // empty value for switches
  bool takes_value = true;
};

std::vector<Flag> flags() {
  std::vector<Flag> out{
      {"--bind", "address to bind (default 127.0.0.1)",
       [](Options& o, std::string_view v) { o.bind_address = v; }},
      {"--control-port", "control port (default 0: any free port)",
       [](Options& o, std::string_view v) {
         o.control_port = parse_int<std::uint16_t>(v, "--control-port");
       }},
      {"--seed", "seed of fault draws and generated ids (default 1)",
       [](Options& o, std::string_view v) { o.seed = parse_int<std::uint64_t>(v, "--seed"); }},
      {"--faults", "VENDOR=JSON fault switches at start (repeatable)", parse_faults},
      {"--allow-unknown-fields", "accept request fields the vendor documents do not list",
       [](Options& o, std::string_view) { o.reject_unknown_fields = false; }, false},
      {"--record-receipts",
       "keep a compact receipt of every request (GET /control/VENDOR/receipts; benchmarks)",
       [](Options& o, std::string_view) { o.record_receipts = true; }, false},
      {"--max-logged-requests", "request log size per vendor (default 10000; 0: no log)",
       [](Options& o, std::string_view v) {
         o.max_logged_requests = parse_int<std::size_t>(v, "--max-logged-requests");
       }},
      {"--glia-key-id", "Glia api_key_id",
       [](Options& o, std::string_view v) { o.glia.api_key_id = v; }},
      {"--glia-key-secret", "Glia api_key_secret",
       [](Options& o, std::string_view v) { o.glia.api_key_secret = v; }},
      {"--glia-token-lifetime", "Glia token lifetime in seconds (default 3600)",
       [](Options& o, std::string_view v) {
         o.glia.token_lifetime =
             std::chrono::seconds(parse_int<std::int64_t>(v, "--glia-token-lifetime"));
       }},
      {"--plugchat-account", "Plug Chat account id",
       [](Options& o, std::string_view v) { o.plugchat.account_id = v; }},
      {"--plugchat-token", "Plug Chat integrator token",
       [](Options& o, std::string_view v) { o.plugchat.integrator_token = v; }},
      {"--identitycall-key",
       "IdentityCall key with read/write/delete (replaces the defaults; repeatable)",
       [first = true](Options& o, std::string_view v) mutable {
         if (std::exchange(first, false)) o.identitycall.keys.clear();
         o.identitycall.keys.push_back({.token = std::string(v)});
       }},
      {"--iadvize-key", "iAdvize REST key (X-API-Key)",
       [](Options& o, std::string_view v) { o.iadvize.api_key = v; }},
      {"--commpeak-user", "CommPeak Basic auth user",
       [](Options& o, std::string_view v) { o.commpeak.username = v; }},
      {"--commpeak-password", "CommPeak Basic auth password",
       [](Options& o, std::string_view v) { o.commpeak.password = v; }},
      {"--commpeak-no-list", "CommPeak answers GET /api/users with 404 (no list call)",
       [](Options& o, std::string_view) { o.commpeak.list_users = false; }, false},
  };
  for (Vendor v : kAllVendors) {
    out.push_back({"--" + std::string(vendor_name(v)) + "-port",
                   "port of this vendor (default 0: any free port)",
                   [v](Options& o, std::string_view value) {
                     o.ports[v.index] = parse_int<std::uint16_t>(value, "--<vendor>-port");
                   }});
  }
  return out;
}

void usage(const std::vector<Flag>& table) {
  std::string names;
  for (Vendor v : kAllVendors) names += (names.empty() ? "" : ", ") + std::string(vendor_name(v));
  std::cout << "usage: opsync-vendorsim [options]\n"
               "Serves the vendor simulators ("
            << names
            << ") and a control port;\n"
               "prints one JSON line with the ports, then runs until SIGTERM/SIGINT.\n\n";
  for (const auto& flag : table)
    std::cout << "  " << flag.name << (flag.takes_value ? " VALUE" : "") << "\n      " << flag.help
              << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    static_assert(sizeof(std::uint16_t) == 2);
    auto table = flags();
    for (int i = 1; i < argc; ++i) {
      std::string_view arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        usage(table);
        return 0;
      }
      std::string_view value;
      if (auto eq = arg.find('='); eq != std::string_view::npos && arg.substr(0, 2) == "--") {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
      }
      auto flag =
          std::find_if(table.begin(), table.end(), [&](const Flag& f) { return f.name == arg; });
      if (flag == table.end()) throw std::invalid_argument("unknown option " + std::string(arg));
      if (flag->takes_value && value.empty() && argv[i][arg.size()] != '=') {
        if (i + 1 >= argc) throw std::invalid_argument(std::string(arg) + " needs a value");
        value = argv[++i];
      }
      flag->set(options, value);
    }
  } catch (const std::exception& e) {
    std::cerr << "opsync-vendorsim: " << e.what() << " (see --help)\n";
    return 2;
  }

  try {
    boost::asio::io_context io_context;
    VendorSimulators simulators(io_context, options);
    boost::asio::signal_set signals(io_context, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (!ec) simulators.stop();
    });
    std::cout << boost::json::serialize(simulators.ports()) << std::endl;
    io_context.run();
  } catch (const std::exception& e) {
    std::cerr << "opsync-vendorsim: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
