// libFuzzer target for the IdentityCall connector's reading of IdentityCall's answers: the
// operator lookup by email, create and update answers, error bodies
// (identitycall_error_message) and pacing headers. Input layout: connector_harness.h.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "connector_harness.h"
#include "identitycall/identitycall_connector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  opsync::fuzz::Scenario s = opsync::fuzz::parse_scenario(data, size);
  for (const auto& r : s.script) (void)opsync::identitycall_error_message(r.status, r.body);

  opsync::IdentityCallSettings settings;
  settings.base_url = "http://identitycall.test/api/v1/public";
  settings.api_key = opsync::Secret("idc_0123456789abcdefghijABCDEFGHIJ01");
  settings.create_missing = (s.flags & opsync::fuzz::kCreateMissing) != 0;
  settings.delete_policy = (s.flags & opsync::fuzz::kHardDelete) ? "delete" : "deactivate";
  opsync::IdentityCallConnector connector(
      "identitycall", settings,
      std::make_shared<opsync::fuzz::ScriptedTransport>(std::move(s.script)));
  opsync::fuzz::run_push(connector, s.flags);
  return 0;
}
