#pragma once
// The push of a vendor that updates an operator by id with a partial JSON body and finds an
// operator it has no id for by e-mail in its operator list (a VendorDirectory), creating it when
// configured to, and deactivating or deleting it on operator.deleted (Glia, IdentityCall). The
// connector supplies its calls and its words; push_by_id() runs the steps between them.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <string_view>

#include "framework/connector.h"
#include "framework/vendor_directory.h"

namespace opsync {

struct IdPushSteps {
  std::string vendor;   ///< the vendor's name in messages: "Glia"
  std::string id_noun;  ///< what a vendor id is, with its article: "a Glia operator id"
  std::function<bool(std::string_view)> is_id;
  /// Also refuse an id the directory (the vendor's list or create answer) gave that is not
  /// `is_id` (the connector's parsing of the list may already guarantee it).
  bool check_learned_ids = true;
  DeletePolicy delete_policy = DeletePolicy::deactivate;
  bool create_missing = false;
  /// Creates the operator of the push (PushResult::vendor_id set on success).
  std::function<boost::asio::awaitable<PushResult>(const PushContext&)> create;
  /// Deletes operator `id` (delete_policy remove).
  std::function<boost::asio::awaitable<PushResult>(const std::string& id)> remove;
  /// Sends `body`, the fields to update, for operator `id`.
  std::function<boost::asio::awaitable<PushResult>(const std::string& id,
                                                   const boost::json::object& body)>
      update;
  /// `changed` as the vendor can take it (clears it cannot make dropped).
  std::function<boost::json::object(const boost::json::object& changed)> sendable;
};

/// Refuses an id that is not `is_id`; deletes under `remove`; takes the context's vendor id, or
/// resolves one through `directory` (creating when `create_missing`); sends the sendable fields
/// (nothing to send: done). A 404 on the update forgets the id; when it came from the directory
/// the push is retried (looked up, or created, afresh), and when the push was given it the
/// result says so (PushResult::vendor_id_gone: the dispatcher resolves again, once).
boost::asio::awaitable<PushResult> push_by_id(PushContext context, VendorDirectory& directory,
                                              const IdPushSteps& steps);

}  // namespace opsync
