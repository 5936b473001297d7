#include "framework/vendor_directory.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>
#include <utility>

namespace opsync {

namespace {

namespace asio = boost::asio;

std::string normalise(std::string_view key) {
  std::string out(key);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

}  // namespace

// One walk of the list; lookups that need it while it runs wait on `done` (cancelled at the end).
struct VendorDirectory::WalkInFlight {
  explicit WalkInFlight(const asio::any_io_executor& executor)
      : done(executor, asio::steady_timer::time_point::max()) {}
  asio::steady_timer done;
  std::optional<PushResult> failure;
};

VendorDirectory::VendorDirectory(Options options, Walk walk, Clock clock)
    : options_(std::move(options)), walk_(std::move(walk)), clock_(std::move(clock)) {
  if (!walk_ || !clock_) throw std::invalid_argument("vendor directory: no walk or no clock");
}

VendorDirectory::~VendorDirectory() = default;

asio::awaitable<std::optional<PushResult>> VendorDirectory::refresh() {
  if (walking_) {
    const std::shared_ptr<WalkInFlight> walk = walking_;
    co_await walk->done.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return walk->failure;
  }
  const auto walk = std::make_shared<WalkInFlight>(co_await asio::this_coro::executor);
  walking_ = walk;
  during_walk_.clear();
  // Ends the walk however the coroutine leaves (an exception included): waiters must wake.
  struct Finish {
    VendorDirectory& self;
    const std::shared_ptr<WalkInFlight>& walk;
    ~Finish() {
      self.walking_.reset();
      self.during_walk_.clear();
      walk->done.cancel();
    }
  } finish{*this, walk};

  const std::uint64_t marks_at_start = stale_marks_;
  std::unordered_map<std::string, std::string> fresh;
  bool overflow = false;
  const std::size_t limit = options_.max_entries;
  walk->failure =
      co_await walk_([&fresh, &overflow, limit](std::string_view key, std::string_view id) {
        if (key.empty() || id.empty()) return;
        if (fresh.size() >= limit) {
          overflow = true;
          return;
        }
        fresh.emplace(normalise(key), std::string(id));  // the first operator with a key wins
      });
  ++walks_;
  if (!walk->failure) {
    entries_ = std::move(fresh);
    for (const Change& change : during_walk_) apply(change);
    filled_ = true;
    stale_ = stale_marks_ != marks_at_start;  // marked during the walk: it may have missed it
    overflowed_ = overflow;
    // The age counts from the walk's end: a walk of a large roster under faults can take longer
    // than max_age, and counting from its start would make every miss walk again at once.
    walked_at_ = clock_();
  }
  co_return walk->failure;
}

asio::awaitable<VendorDirectory::Lookup> VendorDirectory::search(const std::string& key) {
  std::optional<std::string> found;
  std::optional<PushResult> failure =
      co_await walk_([&found, &key](std::string_view k, std::string_view id) {
        if (!found && !id.empty() && normalise(k) == key) found = std::string(id);
      });
  ++walks_;
  if (failure) co_return Lookup{std::nullopt, std::move(failure)};
  co_return Lookup{std::move(found), std::nullopt};
}

asio::awaitable<VendorDirectory::Lookup> VendorDirectory::find(std::string_view raw_key) {
  const std::string key = normalise(raw_key);
  bool walked = false;
  if (!filled_ || stale_) {
    if (auto failure = co_await refresh()) co_return Lookup{std::nullopt, std::move(failure)};
    walked = true;
  }
  if (auto it = entries_.find(key); it != entries_.end()) co_return Lookup{it->second, {}};
  if (!walked && clock_() - walked_at_ >= options_.max_age) {
    if (auto failure = co_await refresh()) co_return Lookup{std::nullopt, std::move(failure)};
    if (auto it = entries_.find(key); it != entries_.end()) co_return Lookup{it->second, {}};
  }
  if (overflowed_) co_return co_await search(key);
  co_return Lookup{};
}

void VendorDirectory::apply(const Change& change) {
  if (change.key.empty()) {
    std::erase_if(entries_, [&](const auto& entry) { return entry.second == change.id; });
    return;
  }
  if (entries_.size() >= options_.max_entries && !entries_.contains(change.key)) {
    overflowed_ = true;
    return;
  }
  entries_.insert_or_assign(change.key, change.id);
}

void VendorDirectory::remember(std::string_view key, std::string_view id) {
  if (key.empty() || id.empty()) return;
  Change change{normalise(key), std::string(id)};
  apply(change);
  if (walking_) during_walk_.push_back(std::move(change));
}

void VendorDirectory::forget_id(std::string_view id) {
  if (id.empty()) return;
  Change change{{}, std::string(id)};
  apply(change);
  mark_stale();
  if (walking_) during_walk_.push_back(std::move(change));
}

void VendorDirectory::mark_stale() {
  stale_ = true;
  ++stale_marks_;
}

asio::awaitable<VendorDirectory::Resolution> VendorDirectory::resolve(
    const PushContext& context, std::optional<std::string> key, bool create_missing,
    Create create) {
  if (key) {
    Lookup found = co_await find(*key);
    if (found.failure) co_return Resolution{std::nullopt, std::move(found.failure)};
    if (found.id) co_return Resolution{std::move(found.id), std::nullopt};
  }
  if (context.deleted) {
    PushResult nothing;  // nothing at the vendor to deactivate
    nothing.message = "operator " + context.operator_id + " is not in " + options_.vendor;
    co_return Resolution{std::nullopt, std::move(nothing)};
  }
  if (!create_missing) {
    co_return Resolution{
        std::nullopt,
        permanent_result("operator " + context.operator_id + " is unmapped: no " + options_.vendor +
                         " id, no " + options_.vendor + " operator with its " + options_.key_name +
                         ", and create_missing is off")};
  }
  PushResult created = co_await create();
  if (created.outcome == PushOutcome::ok && created.vendor_id && key) {
    remember(*key, *created.vendor_id);
  } else if (created.outcome == PushOutcome::retry) {
    // The create may have been applied (a reset or a 5xx after the vendor acted): the retry
    // walks the list again and finds it, instead of creating a second operator.
    mark_stale();
  }
  co_return Resolution{std::nullopt, std::move(created)};
}

asio::awaitable<VendorDirectory::Resolution> VendorDirectory::resolve(const PushContext& context,
                                                                      bool create_missing,
                                                                      Create create) {
  std::optional<std::string> key;
  if (const auto* v = context.desired.if_contains(options_.key_name); v && v->is_string()) {
    key = std::string(v->as_string());
  }
  co_return co_await resolve(context, std::move(key), create_missing, std::move(create));
}

}  // namespace opsync
