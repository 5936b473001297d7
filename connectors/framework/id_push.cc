#include "framework/id_push.h"

#include <optional>
#include <utility>

namespace opsync {

boost::asio::awaitable<PushResult> push_by_id(PushContext context, VendorDirectory& directory,
                                              const IdPushSteps& steps) {
  if (context.vendor_id && !steps.is_id(*context.vendor_id)) {
    co_return permanent_result("'" + *context.vendor_id + "' is not " + steps.id_noun);
  }
  if (context.deleted && steps.delete_policy == DeletePolicy::remove) {
    if (!context.vendor_id) {
      co_return permanent_result("operator " + context.operator_id + " has no " + steps.vendor +
                                 " id to delete");
    }
    co_return co_await steps.remove(*context.vendor_id);
  }

  std::optional<std::string> learned;
  std::string id;
  if (context.vendor_id) {
    id = *context.vendor_id;
  } else {
    VendorDirectory::Resolution resolved = co_await directory.resolve(
        context, steps.create_missing, [&steps, &context] { return steps.create(context); });
    if (resolved.done) co_return std::move(*resolved.done);
    if (steps.check_learned_ids && !steps.is_id(*resolved.id)) {
      co_return permanent_result(steps.vendor + " returned '" + *resolved.id +
                                 "', which is not an operator id");
    }
    learned = id = std::move(*resolved.id);
  }

  const boost::json::object body = steps.sendable(context.changed);
  if (body.empty()) {
    PushResult nothing;
    nothing.vendor_id = learned;
    co_return nothing;
  }
  PushResult r = co_await steps.update(id, body);
  if (r.status == 404 && !r.vendor_failure) {  // an answer, not a transport error
    directory.forget_id(id);  // gone at the vendor: the next lookup walks the list again
    if (learned) {
      // The id came from the directory, which was out of date: look up (or create) again.
      r.outcome = PushOutcome::retry;
      r.message = steps.vendor + " operator " + id + " (found by email) is gone: " + r.message;
      co_return r;
    }
    // The id the push was given (stored, or the event's external_ids) names no operator: the
    // dispatcher forgets it and pushes again without one (resolved afresh, full record).
    r.vendor_id_gone = true;
  }
  r.vendor_id = learned;
  co_return r;
}

}  // namespace opsync
