// libFuzzer target for the Glia connector's reading of Glia's answers: the token exchange, the
// paged operator list (id lookup by email), create and update answers, error bodies
// (glia_error_message) and pacing headers. Input layout: connector_harness.h.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "connector_harness.h"
#include "glia/glia_connector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  opsync::fuzz::Scenario s = opsync::fuzz::parse_scenario(data, size);
  for (const auto& r : s.script) (void)opsync::glia_error_message(r.status, r.body);

  opsync::GliaSettings settings;
  settings.base_url = "http://glia.test";
  settings.api_key_id = opsync::Secret("key-id");
  settings.api_key_secret = opsync::Secret("key-secret");
  settings.teams = {{"support", "site-1/team-support"}};
  settings.create_missing = (s.flags & opsync::fuzz::kCreateMissing) != 0;
  settings.delete_policy = (s.flags & opsync::fuzz::kHardDelete) ? "delete" : "deactivate";
  opsync::GliaConnector connector(
      "glia_eu", settings, std::make_shared<opsync::fuzz::ScriptedTransport>(std::move(s.script)),
      [] { return std::chrono::steady_clock::time_point(std::chrono::hours(1)); });
  // The walk of Glia's operator list pauses (up to 5 s, on a real timer) before retrying a page
  // that failed: without a pause an input runs in milliseconds rather than seconds.
  connector.set_page_retry_pause_cap(std::chrono::milliseconds(0));
  opsync::fuzz::run_push(connector, s.flags);
  return 0;
}
