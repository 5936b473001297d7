#pragma once
// systemd's notification protocol (sd_notify): READY=1, STOPPING=1, RELOADING=1 and the watchdog.
// Without NOTIFY_SOCKET (not under systemd) every call does nothing.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>

namespace opsync {

class ServiceNotifier {
 public:
  explicit ServiceNotifier(boost::asio::io_context& io);

  void ready(const std::string& status);
  void stopping();
  void reloading();
  void status(const std::string& status);
  /// Sends WATCHDOG=1 at half the WatchdogSec interval from the event loop, so a loop that stops
  /// turning stops the pings and systemd restarts the service.
  void start_watchdog();
  void stop_watchdog();

 private:
  void ping();
  boost::asio::steady_timer timer_;
  std::chrono::microseconds interval_{0};
  bool stopped_ = false;
};

}  // namespace opsync
