#include "common/request_budget.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace opsync {

namespace asio = boost::asio;

namespace {
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

std::uint32_t background_burst(std::uint32_t burst, double share) {
  const double b = std::round(static_cast<double>(burst) * share);
  return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(b));
}

double checked_share(double share) {
  if (!(share > 0 && share <= 1)) {
    throw std::invalid_argument("request budget: background_share must be in (0, 1]");
  }
  return share;
}
}  // namespace

// One request waiting for its token. Its timer is armed (at the next token's time) only while it
// is the first waiter that would be served; granting or re-arming cancels the wait.
struct RequestBudget::Waiter {
  explicit Waiter(const asio::any_io_executor& executor)
      : timer(executor, Clock::time_point::max()) {}
  asio::steady_timer timer;
  Clock::time_point armed_at = Clock::time_point::max();
  bool granted = false;
};

RequestBudget::RequestBudget(double rate_per_second, std::uint32_t burst, double background_share)
    : all_(rate_per_second, burst),
      share_(rate_per_second * checked_share(background_share),
             background_burst(burst, background_share)),
      background_share_(background_share) {}

RequestBudget::~RequestBudget() = default;

bool RequestBudget::background_allowed(Clock::time_point now) const {
  return all_.next_available(now) <= now && share_.next_available(now) <= now;
}

void RequestBudget::take(RequestPriority priority, Clock::time_point now) {
  all_.try_acquire(now);
  if (priority == RequestPriority::background) {
    share_.try_acquire(now);
    ++admitted_background_;
  } else {
    ++admitted_live_;
  }
}

bool RequestBudget::try_acquire(RequestPriority priority, Clock::time_point now) {
  if (!live_.empty()) return false;  // live waiters come first, for either priority
  if (priority == RequestPriority::live) {
    if (!all_.try_acquire(now)) return false;
    ++admitted_live_;
    return true;
  }
  if (!background_waiting_.empty() || !background_allowed(now)) return false;
  take(priority, now);
  return true;
}

RequestBudget::Clock::time_point RequestBudget::next_available(RequestPriority priority,
                                                               Clock::time_point now) const {
  const auto at = all_.next_available(now);
  if (priority == RequestPriority::live) return at;
  return std::max(at, share_.next_available(now));
}

void RequestBudget::serve(Clock::time_point now) {
  auto arm = [](Waiter& w, Clock::time_point at) {
    if (w.armed_at == at) return;
    w.armed_at = at;
    w.timer.expires_at(at);  // wakes the waiter if it was waiting; it waits again
  };
  auto grant = [](Queue& q) {
    std::shared_ptr<Waiter> w = std::move(q.front());
    q.pop_front();
    w->granted = true;
    w->timer.cancel();
  };
  for (;;) {
    if (!live_.empty()) {
      if (all_.try_acquire(now)) {
        ++admitted_live_;
        grant(live_);
        continue;
      }
      arm(*live_.front(), all_.next_available(now));
      // A live request waits: background ones wait for it, without a timer of their own.
      if (!background_waiting_.empty()) arm(*background_waiting_.front(), Clock::time_point::max());
      return;
    }
    if (!background_waiting_.empty()) {
      if (background_allowed(now)) {
        take(RequestPriority::background, now);
        grant(background_waiting_);
        continue;
      }
      arm(*background_waiting_.front(), next_available(RequestPriority::background, now));
    }
    return;
  }
}

asio::awaitable<bool> RequestBudget::acquire(RequestPriority priority) {
  if (try_acquire(priority, Clock::now())) co_return true;
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  queue(priority).push_back(waiter);
  serve(Clock::now());
  while (!waiter->granted) {
    co_await waiter->timer.async_wait(kNoThrow);
    if (waiter->granted) break;
    asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) {
      Queue& q = queue(priority);
      q.erase(std::find(q.begin(), q.end(), waiter));
      serve(Clock::now());  // the next waiter may be first now
      co_return false;
    }
    serve(Clock::now());  // the timer fired (or was re-armed): admit what is due
  }
  co_return true;
}

void RequestBudget::pause_until(Clock::time_point until) {
  all_.block_until(until);
  serve(Clock::now());  // re-arm the first waiter past the pause
}

void RequestBudget::resume() {
  all_.unblock();
  serve(Clock::now());
}

std::size_t RequestBudget::waiting(RequestPriority priority) const {
  return priority == RequestPriority::live ? live_.size() : background_waiting_.size();
}

std::uint64_t RequestBudget::admitted(RequestPriority priority) const {
  return priority == RequestPriority::live ? admitted_live_ : admitted_background_;
}

MeteredTransport::MeteredTransport(std::shared_ptr<HttpTransport> inner,
                                   std::shared_ptr<RequestBudget> budget)
    : inner_(std::move(inner)), budget_(std::move(budget)) {
  if (!inner_ || !budget_) throw std::invalid_argument("metered transport: no transport or budget");
}

asio::awaitable<HttpResult> MeteredTransport::request(HttpRequest request) {
  // (The awaited results go into locals first: GCC 12 miscompiles a co_await in an if condition
  // of a coroutine with a by-value parameter.)
  const bool admitted = co_await budget_->acquire(request.priority);
  HttpResult result;
  if (admitted) {
    result = co_await inner_->request(std::move(request));
  } else {
    result.error = asio::error::operation_aborted;
  }
  co_return result;
}

}  // namespace opsync
