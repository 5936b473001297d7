#pragma once
// What a connector checks in a vendor's 2xx answer before it trusts it. A 2xx whose body is not
// what the vendor's documentation promises (a proxy's HTML error page, an empty or cut body, the
// wrong record) proves nothing about what the vendor stored: the push is not acknowledged, and
// its outcome is unknown (PushOutcome::retry), so the dispatcher records a doubt
// (store/doubts.h) and the next attempt sends the full record, looking the operator up before
// it creates one again.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_message.h"
#include "framework/connector.h"

namespace opsync {

/// Whether the answer's Content-Type, when it has one, names JSON (`application/json`, or a
/// `+json` type such as Glia's `application/vnd.salemove.v1+json`). An answer without one is
/// judged by its body alone.
bool content_type_allows_json(const HttpHeaders& headers);

/// The JSON object a 2xx answer carries; nullopt when the body is not one, or when the answer
/// declares a Content-Type that is not JSON (text/html).
std::optional<boost::json::object> success_object(const HttpResult& result);

/// The answer's form for messages, never its content: "text/html, 1.2 kB", "no Content-Type,
/// empty body".
std::string describe_answer(const HttpResult& result);

/// Makes `r`, the PushResult of the 2xx `result`, a doubt: outcome retry and a vendor failure
/// (what answered is not the vendor's API, as for a 5xx), with the message "<vendor> answered
/// <status> but <problem> (<describe_answer>)". The body is dropped from `r`: it is not the
/// vendor's and may echo anything.
void doubt_success(PushResult& r, const HttpResult& result, std::string_view vendor,
                   std::string_view problem);

/// The text of a JSON id that a vendor may send as a string or as a number; nullopt otherwise.
std::optional<std::string> json_id_text(const boost::json::value* id);

}  // namespace opsync
