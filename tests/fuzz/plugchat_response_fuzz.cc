// libFuzzer target for the Plug Chat connector's reading of Plug Chat's answers: the operator
// lookup, create and update answers, error bodies (plugchat_error_message) and pacing headers.
// Input layout: connector_harness.h.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "connector_harness.h"
#include "plugchat/plugchat_connector.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  opsync::fuzz::Scenario s = opsync::fuzz::parse_scenario(data, size);
  for (const auto& r : s.script) (void)opsync::plugchat_error_message(r.status, r.body);

  opsync::PlugChatSettings settings;
  settings.base_url = "http://plugchat.test";
  settings.account_id = "acc-1";
  settings.integrator_token = opsync::Secret("test-integrator-token");
  settings.create_missing = (s.flags & opsync::fuzz::kCreateMissing) != 0;
  settings.teams = {{"support", "dep-support"}, {"sales", "dep-sales"}};
  opsync::PlugChatConnector connector(
      "plugchat_br", settings,
      std::make_unique<opsync::fuzz::ScriptedTransport>(std::move(s.script)));
  opsync::fuzz::run_push(connector, s.flags);
  return 0;
}
