// libFuzzer target for the iAdvize connector's reading of iAdvize's answers: the envelope
// (`meta.status`, `meta.message`, `data`) of lookups, creates and updates, its classification,
// and pacing headers. Input layout: connector_harness.h.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "connector_harness.h"
#include "iadvize/iadvize_connector.h"
#include "iadvize/iadvize_errors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  opsync::fuzz::Scenario s = opsync::fuzz::parse_scenario(data, size);
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  for (const auto& r : s.script) {
    (void)opsync::iadvize::parse_envelope(r.body);
    opsync::HttpResult result;
    result.status = r.status;
    result.headers = r.headers;
    result.body = r.body;
    (void)opsync::iadvize::classify(result, opsync::HttpRequest{}, now);
  }

  opsync::IAdvizeSettings settings;
  settings.base_url = "http://iadvize.test/api/2";
  settings.api_key = opsync::Secret("the-rest-key");
  settings.create_missing = (s.flags & opsync::fuzz::kCreateMissing) != 0;
  settings.delete_policy = (s.flags & opsync::fuzz::kHardDelete) ? "delete" : "deactivate";
  settings.teams = {{"support", "101"}};
  opsync::IAdvizeConnector connector(
      "iadvize", settings, std::make_unique<opsync::fuzz::ScriptedTransport>(std::move(s.script)),
      [now] { return now; });
  opsync::fuzz::run_push(connector, s.flags);
  return 0;
}
