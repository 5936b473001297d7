// The control API: fault switches, request logs, records and counters over JSON/HTTP.
#pragma once

#include <boost/json/object.hpp>

#include "vendorsim/http_util.h"
#include "vendorsim/sim_state.h"

namespace opsync::vendorsim {

/// Answers one control request (see docs/vendorsim.md "Control API"). `ports` is the ports line.
HttpResponse handle_control(SimState& state, const json::object& ports, const HttpRequest& req);

}  // namespace opsync::vendorsim
