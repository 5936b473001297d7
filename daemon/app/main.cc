// opsyncd: keeps contact-centre vendors in step with the operator roster published to Kafka.

#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "app/daemon.h"
#include "app/demo.h"
#include "app/logging.h"
#include "app/service_notify.h"
#include "config/config.h"
#include "framework/registry.h"

namespace {

constexpr const char* kUsage = R"(usage:
  opsyncd run --config FILE           run the daemon
  opsyncd check-config --config FILE  validate a configuration and explain every error
  opsyncd demo [--events N]           run the self-contained demo (embedded broker and vendors)
  opsyncd --version
)";

std::string option(const std::vector<std::string>& args, const std::string& name) {
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == name) return args[i + 1];
  }
  return {};
}

int print_diagnostics(const std::vector<opsync::ConfigDiagnostic>& diags) {
  for (const auto& d : diags) std::cerr << d.to_string() << "\n";
  std::cerr << diags.size() << (diags.size() == 1 ? " error" : " errors") << "\n";
  return 2;
}

// Warnings (a secret in clear text, a secret file others can read) never fail a check.
void print_warnings(const std::vector<opsync::ConfigDiagnostic>& warnings) {
  for (const auto& w : warnings) std::cerr << "warning: " << w.to_string() << "\n";
}

void log_warnings(const std::vector<opsync::ConfigDiagnostic>& warnings) {
  for (const auto& w : warnings) {
    spdlog::warn("event=config_warning diagnostic=\"{}\"", w.to_string());
  }
}

int check_config(const std::string& path) {
  std::vector<opsync::ConfigDiagnostic> warnings;
  auto diags = opsync::check_config(path, opsync::builtin_connectors().config_check(), &warnings);
  print_warnings(warnings);
  if (!diags.empty()) return print_diagnostics(diags);
  std::cout << path << ": OK";
  if (!warnings.empty()) {
    std::cout << " (" << warnings.size() << (warnings.size() == 1 ? " warning" : " warnings")
              << ")";
  }
  std::cout << "\n";
  return 0;
}

int run(const std::string& path) {
  opsync::Config config;
  try {
    config = opsync::load_config(path, opsync::builtin_connectors().config_check());
  } catch (const opsync::ConfigError& e) {
    return print_diagnostics(e.diagnostics());
  }
  opsync::setup_logging(config.logging.level, config.logging.format);
  log_warnings(config.warnings);
  boost::asio::io_context io(1);
  opsync::Daemon daemon(io, config);
  opsync::ServiceNotifier notifier(io);
  int exit_code = 0;
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  boost::asio::signal_set hup(io, SIGHUP);
  signals.async_wait([&](boost::system::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("event=signal signal={}", strsignal(signo));
    notifier.stopping();
    notifier.stop_watchdog();
    hup.cancel();
    daemon.stop([&] { io.stop(); });
  });
  // SIGHUP: reload. An invalid new configuration is rejected with its errors and the old one runs
  // on.
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      notifier.reloading();
      spdlog::info("event=reload_requested config={}", path);
      try {
        auto next = opsync::load_config(path, opsync::builtin_connectors().config_check());
        log_warnings(next.warnings);
        daemon.reload(std::move(next), [&](const std::string& error) {
          if (error.empty()) {
            notifier.ready("reloaded " + path);
          } else {
            spdlog::error("event=reload_failed error=\"{}\"", error);
            notifier.ready("reload failed; previous configuration kept");
          }
        });
      } catch (const opsync::ConfigError& e) {
        for (const auto& d : e.diagnostics()) {
          spdlog::error("event=reload_rejected diagnostic=\"{}\"", d.to_string());
        }
        notifier.ready("reload rejected; previous configuration kept");
      }
      wait_hup();
    });
  };
  wait_hup();
  try {
    daemon.start();
    // The store is open and the consumer subscribed: ready in systemd's sense.
    notifier.ready("consuming " + config.kafka.topic);
    notifier.start_watchdog();
    io.run();
  } catch (const std::exception& e) {
    spdlog::critical("event=fatal error=\"{}\"", e.what());
    exit_code = 1;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  const std::string& cmd = args[0];
  if (cmd == "--version" || cmd == "version") {
    std::cout << "opsyncd " << OPSYNC_VERSION << "\n";
    return 0;
  }
  if (cmd == "run" || cmd == "check-config") {
    std::string path = option(args, "--config");
    if (path.empty()) {
      std::cerr << "opsyncd " << cmd << ": --config FILE is required\n" << kUsage;
      return 2;
    }
    return cmd == "run" ? run(path) : check_config(path);
  }
  if (cmd == "demo") {
    opsync::DemoOptions options;
    if (auto n = option(args, "--events"); !n.empty()) options.events = std::stoul(n);
    return opsync::run_demo(options);
  }
  std::cerr << "opsyncd: unknown command '" << cmd << "'\n" << kUsage;
  return 2;
}
