#include "app/service_notify.h"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <time.h>

namespace opsync {

ServiceNotifier::ServiceNotifier(boost::asio::io_context& io) : timer_(io) {}

void ServiceNotifier::ready(const std::string& status) {
  sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void ServiceNotifier::stopping() {
  sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}

void ServiceNotifier::reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const unsigned long long usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ull +
                                  static_cast<unsigned long long>(ts.tv_nsec) / 1000ull;
  sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading configuration", usec);
}

void ServiceNotifier::status(const std::string& status) {
  sd_notifyf(0, "STATUS=%s", status.c_str());
}

void ServiceNotifier::start_watchdog() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
  interval_ = std::chrono::microseconds(usec / 2);
  spdlog::info("event=watchdog_enabled interval_ms={}", usec / 2000);
  ping();
}

void ServiceNotifier::stop_watchdog() {
  stopped_ = true;
  timer_.cancel();
}

void ServiceNotifier::ping() {
  if (stopped_) return;
  sd_notify(0, "WATCHDOG=1");
  timer_.expires_after(interval_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) ping();
  });
}

}  // namespace opsync
