// libFuzzer target for the CommPeak connector's reading of CommPeak's answers: the user list (id
// lookup by email), update answers, error bodies (commpeak_error_message) and pacing headers.
// Input layout: connector_harness.h.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "commpeak/commpeak_connector.h"
#include "connector_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  opsync::fuzz::Scenario s = opsync::fuzz::parse_scenario(data, size);
  for (const auto& r : s.script) (void)opsync::commpeak_error_message(r.status, r.body);

  opsync::CommPeakSettings settings;
  settings.base_url = "http://commpeak.test";
  settings.username = "api-user";
  settings.password = opsync::Secret("api-password");
  settings.time_zones = {{"Europe/Lisbon", 42}};
  opsync::CommPeakConnector connector(
      "commpeak", settings, std::make_unique<opsync::fuzz::ScriptedTransport>(std::move(s.script)));
  opsync::fuzz::run_push(connector, s.flags);
  return 0;
}
