#pragma once
// A connector instance's copy of its vendor's operator directory: lookup key (an e-mail address)
// -> the vendor's operator id, for the operators a push knows no vendor id for.
//
// Without it, every new operator cost a walk over the vendor's whole operator list (O(pages)
// requests each, so O(operators x pages) for a roster). The directory is filled by one walk on
// first need and kept up to date by the connector's own results (remember() after a create,
// forget_id() after a 404), so a run costs O(pages) list requests plus one walk per `max_age`
// in which a lookup misses: operators created by hand in the vendor's UI are still found, at
// most `max_age` after they appear. Concurrent lookups share one walk.
//
// Used only on the event loop's thread, like the Connector that owns it.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "framework/connector.h"

namespace opsync {

class VendorDirectory {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  /// Receives one operator of the vendor's list: its lookup key and its vendor id.
  using Sink = std::function<void(std::string_view key, std::string_view id)>;
  /// Walks the vendor's whole operator list, handing every operator with a key and an id to the
  /// sink. Returns the failure of a list call as the PushResult the push ends with, or nullopt.
  using Walk = std::function<boost::asio::awaitable<std::optional<PushResult>>(Sink)>;
  /// Creates the operator of the push at the vendor (PushResult::vendor_id set on success).
  using Create = std::function<boost::asio::awaitable<PushResult>()>;

  struct Options {
    /// The vendor's name in messages ("Glia").
    std::string vendor;
    /// What the key is, in messages ("email").
    std::string key_name = "email";
    /// A lookup that misses walks the list again when the last walk ended this long ago.
    std::chrono::steady_clock::duration max_age = std::chrono::seconds(60);
    /// At most this many entries are kept (one key and one id each, some 100-200 bytes). A
    /// vendor with more operators is still searched in full on a miss, one walk per miss.
    std::size_t max_entries = 100'000;
  };

  struct Lookup {
    std::optional<std::string> id;
    std::optional<PushResult> failure;  ///< the list call failed: end the push with this
  };

  /// How resolve() ended: a vendor id to update, or the push's result (created, nothing to do,
  /// unmapped, or a failed list or create call).
  struct Resolution {
    std::optional<std::string> id;
    std::optional<PushResult> done;
  };

  VendorDirectory(
      Options options, Walk walk, Clock clock = [] { return std::chrono::steady_clock::now(); });
  ~VendorDirectory();
  VendorDirectory(const VendorDirectory&) = delete;
  VendorDirectory& operator=(const VendorDirectory&) = delete;

  /// The vendor id of `key` (compared without ASCII case). Walks the list on first use, after
  /// forget_id(), and on a miss when the last walk ended `max_age` ago or more.
  boost::asio::awaitable<Lookup> find(std::string_view key);

  /// The push of an operator with no known vendor id: looks `key` up (when there is one);
  /// otherwise a deleted operator needs nothing, and a live one is created when `create_missing`
  /// (the new id is remembered) or is a permanent "unmapped" error.
  boost::asio::awaitable<Resolution> resolve(const PushContext& context,
                                             std::optional<std::string> key, bool create_missing,
                                             Create create);

  /// resolve() with the key read from the push's mapped record: `desired[key_name]` when it is
  /// a string.
  boost::asio::awaitable<Resolution> resolve(const PushContext& context, bool create_missing,
                                             Create create);

  /// Records an operator the connector created or learned.
  void remember(std::string_view key, std::string_view id);
  /// The vendor answered 404 for `id`: drops its entries and walks again on the next lookup.
  void forget_id(std::string_view id);

  /// The vendor may hold operators the directory has not seen (a create whose answer was lost,
  /// a create refused because the key is taken): the next lookup walks the list again.
  void mark_stale();

  /// Walks of the vendor's list made so far (metrics, tests).
  std::uint64_t walks() const { return walks_; }
  std::size_t size() const { return entries_.size(); }

 private:
  struct WalkInFlight;
  struct Change {
    std::string key;  ///< empty for a forget_id
    std::string id;
  };

  boost::asio::awaitable<std::optional<PushResult>> refresh();
  boost::asio::awaitable<Lookup> search(const std::string& key);
  void apply(const Change& change);

  Options options_;
  Walk walk_;
  Clock clock_;
  std::unordered_map<std::string, std::string> entries_;
  bool filled_ = false;
  bool stale_ = false;
  std::uint64_t stale_marks_ = 0;  ///< mark_stale() calls, so a walk can tell it was overtaken
  bool overflowed_ = false;
  std::chrono::steady_clock::time_point walked_at_{};
  std::uint64_t walks_ = 0;
  std::shared_ptr<WalkInFlight> walking_;
  /// remember()/forget_id() calls made while a walk is in flight, replayed over its result.
  std::vector<Change> during_walk_;
};

}  // namespace opsync
