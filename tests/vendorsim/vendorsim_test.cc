// The documented rules of each simulated vendor, the fault switches and the control API,
// against the simulators started in process on port 0.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <set>
#include <thread>

#include "vendorsim/record_store.h"
#include "vendorsim/sim_client.h"
#include "vendorsim/vendor_simulators.h"

namespace opsync::vendorsim {
namespace {

using http::verb;
using testing::call;
using testing::Headers;

const std::pair<std::string, std::string> kGliaAccept{"Accept", "application/vnd.salemove.v1+json"};
const std::pair<std::string, std::string> kJson{"Content-Type", "application/json"};

json::value parse(std::string_view text) {
  return json::parse(text);
}

class VendorSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options options;
    // A fake clock: token expiry and the rate limit's refill are driven by advance().
    options.clock = [this] {
      return std::chrono::steady_clock::time_point(std::chrono::seconds(elapsed_s_.load()));
    };
    sims_ = std::make_unique<VendorSimulators>(io_, options);
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    sims_->stop();
    thread_.join();
    sims_.reset();
  }
  void advance(std::int64_t seconds) { elapsed_s_ += seconds; }
  std::uint16_t port(Vendor v) const { return sims_->port(v); }

  std::string glia_token() {
    auto a = call(
        port(Vendor::glia), verb::post, "/operator_authentication/tokens", {kGliaAccept, kJson},
        R"({"api_key_id":"opsync-glia-key-id","api_key_secret":"opsync-glia-key-secret"})");
    EXPECT_EQ(a.status, 200u) << a.body;
    return std::string(a.json.at("token").as_string());
  }
  Headers glia_auth(const std::string& token) {
    return {kGliaAccept, kJson, {"Authorization", "Bearer " + token}};
  }

  boost::asio::io_context io_;
  std::unique_ptr<VendorSimulators> sims_;
  std::thread thread_;
  std::atomic<std::int64_t> elapsed_s_{1'000'000};
};

// The named vendors are the rows of the table they stand for.
TEST(VendorTable, NamedVendorsAreTheirRows) {
  EXPECT_EQ(vendor_name(Vendor::glia), "glia");
  EXPECT_EQ(vendor_name(Vendor::plugchat), "plugchat");
  EXPECT_EQ(vendor_name(Vendor::identitycall), "identitycall");
  EXPECT_EQ(vendor_name(Vendor::iadvize), "iadvize");
  EXPECT_EQ(vendor_name(Vendor::commpeak), "commpeak");
  std::set<std::string_view> names;
  for (Vendor v : kAllVendors) names.insert(vendor_name(v));
  EXPECT_EQ(names.size(), kVendorCount);
}

TEST_F(VendorSimTest, PortsAreDistinctAndNamed) {
  auto ports = sims_->ports();
  ASSERT_EQ(ports.size(), kVendorCount + 1);  // and the control port
  std::set<std::uint64_t> distinct;
  for (const auto& [name, port] : ports) distinct.insert(port.to_number<std::uint64_t>());
  EXPECT_EQ(distinct.size(), kVendorCount + 1);
  EXPECT_FALSE(distinct.contains(0));
}

TEST_F(VendorSimTest, GliaRefusesMissingAcceptAndBadCredentials) {
  auto no_accept = call(port(Vendor::glia), verb::get, "/operators");
  EXPECT_EQ(no_accept.status, 406u);
  auto no_token = call(port(Vendor::glia), verb::get, "/operators", {kGliaAccept});
  EXPECT_EQ(no_token.status, 401u);
  auto bad_secret =
      call(port(Vendor::glia), verb::post, "/operator_authentication/tokens", {kGliaAccept, kJson},
           R"({"api_key_id":"opsync-glia-key-id","api_key_secret":"x"})");
  EXPECT_EQ(bad_secret.status, 401u);
}

TEST_F(VendorSimTest, GliaPartialUpdateAndDependentFieldRules) {
  auto seeded = sims_->seed_record(
      Vendor::glia, {{"id", "op-1"}, {"name", "Jane"}, {"email", "jane@example.com"}});
  ASSERT_TRUE(seeded.ok()) << seeded.error;
  sims_->seed_record(Vendor::glia,
                     {{"id", "op-2"}, {"name", "John"}, {"email", "john@example.com"}});
  auto auth = glia_auth(glia_token());

  auto ok = call(port(Vendor::glia), verb::post, "/operators/op-1", auth,
                 R"({"phone":"+15551234567","assignments":[{"site_id":"s1","team_ids":["t1"]}]})");
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(ok.json.at("name"), "Jane");  // untouched: the update is partial
  EXPECT_EQ(ok.json.at("phone"), "+15551234567");
  EXPECT_EQ(ok.json.at("teams").as_array().size(), 1u);

  auto orphan =
      call(port(Vendor::glia), verb::post, "/operators/op-2", auth, R"({"phone_extension":"123"})");
  EXPECT_EQ(orphan.status, 422u);
  EXPECT_EQ(orphan.json, parse(R"({"error":"Unprocessable Entity","message":"Validation failed",
      "errors":{"phone_extension":["is valid only if phone is also set or was set beforehand"]}})"));
  auto sip =
      call(port(Vendor::glia), verb::post, "/operators/op-2", auth, R"({"sip_extension":"100"})");
  EXPECT_EQ(
      sip.json.at("errors"),
      parse(
          R"({"sip_extension":["is valid only if sip_domain_id is also set or was set beforehand"]})"));
  auto empty =
      call(port(Vendor::glia), verb::post, "/operators/op-2", auth, R"({"assignments":[]})");
  EXPECT_EQ(empty.json.at("errors"),
            parse(R"({"assignments":["must contain at least one site assignment"]})"));
  auto taken = call(port(Vendor::glia), verb::post, "/operators/op-2", auth,
                    R"({"email":"JANE@example.com"})");
  EXPECT_EQ(taken.json.at("errors"), parse(R"({"email":["has already been taken"]})"));
  auto phone =
      call(port(Vendor::glia), verb::post, "/operators/op-2", auth, R"({"audio_source":"phone"})");
  EXPECT_EQ(phone.json.at("errors"),
            parse(R"({"phone":["must be set when audio_source is phone"]})"));
  // op-1 has a phone now, so an extension is accepted.
  EXPECT_EQ(call(port(Vendor::glia), verb::post, "/operators/op-1", auth,
                 R"({"phone_extension":",,1,23"})")
                .status,
            200u);
  EXPECT_EQ(call(port(Vendor::glia), verb::delete_, "/operators/op-2", auth).status, 204u);
  EXPECT_EQ(sims_->records(Vendor::glia).at(1).at("enabled"), false);  // soft delete
}

TEST_F(VendorSimTest, GliaTokenExpires) {
  std::string token = glia_token();
  EXPECT_EQ(call(port(Vendor::glia), verb::get, "/operators", glia_auth(token)).status, 200u);
  advance(3599);
  EXPECT_EQ(call(port(Vendor::glia), verb::get, "/operators", glia_auth(token)).status, 200u);
  advance(1);
  EXPECT_EQ(call(port(Vendor::glia), verb::get, "/operators", glia_auth(token)).status, 401u);
  EXPECT_EQ(call(port(Vendor::glia), verb::get, "/operators", glia_auth(glia_token())).status,
            200u);
}

TEST_F(VendorSimTest, GliaListPages) {
  for (int i = 0; i < 3; ++i)
    sims_->seed_record(Vendor::glia, {{"name", "Op " + std::to_string(i)}});
  auto token = glia_token();
  auto first = call(port(Vendor::glia), verb::get, "/operators?per_page=2", glia_auth(token));
  ASSERT_EQ(first.status, 200u);
  EXPECT_EQ(first.json.at("operators").as_array().size(), 2u);
  std::string host = "http://127.0.0.1:" + std::to_string(port(Vendor::glia));
  EXPECT_EQ(first.json.at("next_page"), json::value(host + "/operators?per_page=2&page=2"));
  EXPECT_EQ(first.json.at("last_page"), json::value(host + "/operators?per_page=2&page=2"));
  auto second =
      call(port(Vendor::glia), verb::get, "/operators?per_page=2&page=2", glia_auth(token));
  EXPECT_EQ(second.json.at("operators").as_array().size(), 1u);
  EXPECT_TRUE(second.json.at("next_page").is_null());
}

TEST_F(VendorSimTest, PlugChatContentTypeAuthAndFullUpdate) {
  const std::string path = "/integrator/account/opsync-account/operators";
  const std::pair<std::string, std::string> auth{"Authorization",
                                                 "Bearer opsync-plugchat-integrator-token"};
  auto no_type = call(port(Vendor::plugchat), verb::put, path, {auth}, "{}");
  EXPECT_EQ(no_type.status, 415u);
  EXPECT_EQ(no_type.json,
            parse(R"({"success":false,"message":"Content-Type deve ser application/json"})"));
  EXPECT_EQ(call(port(Vendor::plugchat), verb::get, path, {kJson}).status, 401u);
  EXPECT_EQ(call(port(Vendor::plugchat), verb::delete_, path, {kJson, auth}).status, 405u);

  auto created = call(port(Vendor::plugchat), verb::post, path, {kJson, auth},
                      R"({"name":"Operador 001","departments":["d1"],"isAdmin":false})");
  ASSERT_EQ(created.status, 200u) << created.body;
  std::string id(created.json.at("id").as_string());
  EXPECT_TRUE(created.json.at("accessToken").is_string());

  auto partial = call(port(Vendor::plugchat), verb::put, path, {kJson, auth},
                      R"({"id":")" + id + R"(","name":"Operador 001","active":false})");
  EXPECT_EQ(partial.status, 400u);
  EXPECT_EQ(partial.json,
            parse(R"({"success":false,"message":"O atributo 'departments' é obrigatório",
      "errors":["O atributo 'departments' é obrigatório"]})"));
  auto full =
      call(port(Vendor::plugchat), verb::put, path, {kJson, auth},
           R"({"id":")" + id +
               R"(","name":"Operador 002","active":false,"departments":[],"isAdmin":"true"})");
  ASSERT_EQ(full.status, 200u) << full.body;
  EXPECT_EQ(full.json.at("success"), true);
  EXPECT_EQ(full.json.at("id"), json::value(id));
  auto list = call(port(Vendor::plugchat), verb::get, path, {kJson, auth});
  EXPECT_EQ(list.json.at(0).at("name"), "Operador 002");
  EXPECT_EQ(list.json.at(0).at("active"), false);
}

TEST_F(VendorSimTest, IdentityCallPermissionsAndErrors) {
  const std::string base = "/api/v1/public/operators";
  const Headers full{kJson, {"Authorization", "Bearer idc_opsyncsimfullaccess0000000000001"}};
  const Headers read_only{kJson, {"Authorization", "Bearer idc_opsyncsimreadonly000000000000001"}};
  auto bad_format =
      call(port(Vendor::identitycall), verb::get, base, {{"Authorization", "Bearer idc_short"}});
  EXPECT_EQ(bad_format.status, 401u);
  EXPECT_EQ(bad_format.json, parse(R"({"error":"Invalid API key"})"));

  auto created =
      call(port(Vendor::identitycall), verb::post, base, full,
           R"({"name":"Jane Doe","phone_number":"+1 (555) 123-4567","email":"jane@example.com"})");
  ASSERT_EQ(created.status, 201u) << created.body;
  EXPECT_EQ(created.json.at("data").at("phone_number"), "+15551234567");  // normalised
  EXPECT_EQ(created.json.at("data").at("initials"), "JD");
  const std::string one = base + "/" + json::serialize(created.json.at("data").at("id"));

  auto forbidden =
      call(port(Vendor::identitycall), verb::patch, one, read_only, R"({"active":false})");
  EXPECT_EQ(forbidden.status, 403u);
  EXPECT_EQ(forbidden.json, parse(R"({"error":"Write permission required"})"));
  auto bad_phone =
      call(port(Vendor::identitycall), verb::patch, one, full, R"({"phone_number":"call me"})");
  EXPECT_EQ(bad_phone.status, 422u);
  EXPECT_EQ(bad_phone.json, parse(R"({"errors":["Phone number is invalid"]})"));
  auto blank = call(port(Vendor::identitycall), verb::patch, one, full, R"({"name":""})");
  EXPECT_EQ(blank.json, parse(R"({"errors":["Name can't be blank"]})"));
  auto missing = call(port(Vendor::identitycall), verb::post, base, full, R"({"name":"X Y"})");
  EXPECT_EQ(missing.json, parse(R"({"errors":["Phone number can't be blank"]})"));

  auto patched =
      call(port(Vendor::identitycall), verb::patch, one, full, R"({"email":null,"active":false})");
  ASSERT_EQ(patched.status, 200u) << patched.body;
  EXPECT_TRUE(patched.json.at("data").at("email").is_null());
  EXPECT_EQ(patched.json.at("data").at("name"), "Jane Doe");
  EXPECT_EQ(call(port(Vendor::identitycall), verb::get, base + "/999", full).status, 404u);
  EXPECT_EQ(call(port(Vendor::identitycall), verb::delete_, one, read_only).json,
            parse(R"({"error":"Delete permission required"})"));
}

TEST_F(VendorSimTest, IAdvizeEnvelopeFormBodiesAndLive) {
  sims_->seed_record(Vendor::iadvize,
                     {{"id", 7}, {"email", "op@example.com"}, {"external_id", "emp-7"}});
  const std::pair<std::string, std::string> key{"X-API-Key", "opsync-iadvize-rest-key"};
  const std::pair<std::string, std::string> form{"Content-Type",
                                                 "application/x-www-form-urlencoded"};
  auto no_key = call(port(Vendor::iadvize), verb::get, "/api/2/operator/7");
  EXPECT_EQ(no_key.status, 401u);
  EXPECT_EQ(no_key.json, parse("{\"meta\":{\"status\":\"fail\",\"message\":"
                               "\"Invalid or missing API key (X-API-Key)\"}}"));

  auto found = call(port(Vendor::iadvize), verb::get,
                    "/api/2/operator?filters%5Bemail%5D=OP%40example.com", {key});
  ASSERT_EQ(found.status, 200u) << found.body;
  EXPECT_EQ(found.json.at("meta").at("status"), "success");
  EXPECT_EQ(found.json.at("data").at(0).at("id"), 7);
  EXPECT_EQ(call(port(Vendor::iadvize), verb::get, "/api/2/operator?limit=101", {key}).status,
            400u);

  auto updated =
      call(port(Vendor::iadvize), verb::put, "/api/2/operator/7", {key, form},
           "first_name=Ana&chat_enabled=0&language_list%5B%5D=fr&language_list%5B%5D=en");
  ASSERT_EQ(updated.status, 200u) << updated.body;
  EXPECT_EQ(updated.json.at("data").at("chat_enabled"), false);
  EXPECT_EQ(updated.json.at("data").at("language_list"), parse(R"(["fr","en"])"));
  EXPECT_EQ(updated.json.at("data").at("email"), "op@example.com");
  auto bad = call(port(Vendor::iadvize), verb::put, "/api/2/operator/7", {key, kJson},
                  R"({"language_admin":"it"})");
  EXPECT_EQ(
      bad.json,
      parse(R"({"meta":{"status":"fail","message":"language_admin must be de, en, es or fr"}})"));

  auto live = call(port(Vendor::iadvize), verb::put, "/api/2/operator/7/live", {key, form},
                   "chat%5Bavailable%5D=1");
  EXPECT_EQ(
      live.json,
      parse(
          R"({"meta":{"status":"success","message":"Operator is now available for chat channel."}})"));
  EXPECT_EQ(call(port(Vendor::iadvize), verb::put, "/api/2/operator/7/live", {key, form},
                 "chat%5Bavailable%5D=2")
                .status,
            400u);
}

TEST_F(VendorSimTest, CommPeakBasicAuthStringsAndTypes) {
  sims_->seed_record(Vendor::commpeak, {{"id", 17}, {"username", "jdoe"}});
  const std::pair<std::string, std::string> basic{
      "Authorization", "Basic b3BzeW5jOm9wc3luYy1jb21tcGVhay1wYXNzd29yZA=="};
  auto anonymous = call(port(Vendor::commpeak), verb::get, "/api/users/17");
  EXPECT_EQ(anonymous.status, 401u);
  EXPECT_EQ(anonymous.response[http::field::www_authenticate], "Basic realm=\"CommPeak\"");
  auto got = call(port(Vendor::commpeak), verb::get, "/api/users/17", {basic});
  ASSERT_EQ(got.status, 200u) << got.body;
  EXPECT_EQ(got.json.at("id"), "17");
  EXPECT_EQ(got.json.at("is_active"), "1");
  auto bad = call(port(Vendor::commpeak), verb::put, "/api/users/17", {basic, kJson},
                  R"({"is_active":"0","default_language":"fr_FR"})");
  EXPECT_EQ(bad.status, 422u);
  EXPECT_EQ(bad.json, parse(R"({"status":"error","message":"Validation failed","errors":{
      "is_active":"must be 0 or 1","default_language":"must be one of en_US, es_ES, pt_BR, ru_RU"}})"));
  auto hook = call(port(Vendor::commpeak), verb::put, "/integrations/adapters/hook/users/17",
                   {basic, kJson}, R"({"is_active":0,"first_name":"Jo"})");
  ASSERT_EQ(hook.status, 200u) << hook.body;
  EXPECT_EQ(hook.json.at("is_active"), "0");
  EXPECT_EQ(call(port(Vendor::commpeak), verb::get, "/api/users", {basic})
                .json.at("users")
                .at(0)
                .at("first_name"),
            "Jo");
}

TEST_F(VendorSimTest, Injected429CarriesRetryAfter) {
  const std::uint16_t control = sims_->control_port();
  auto set = call(control, verb::post, "/control/iadvize/faults", {kJson},
                  R"({"rate_429":1,"retry_after_s":2})");
  ASSERT_EQ(set.status, 200u) << set.body;
  auto limited = call(port(Vendor::iadvize), verb::get, "/api/2/operator",
                      {{"X-API-Key", "opsync-iadvize-rest-key"}});
  EXPECT_EQ(limited.status, 429u);
  EXPECT_EQ(limited.response[http::field::retry_after], "2");
  EXPECT_EQ(limited.json, parse(R"({"meta":{"status":"fail","message":"Too many requests"}})"));
  EXPECT_EQ(
      call(control, verb::post, "/control/iadvize/faults", {kJson}, R"({"rate_42":1})").status,
      400u);
  auto stats = call(control, verb::get, "/control/stats");
  EXPECT_EQ(stats.json.at("iadvize").at("by_status").at("429"), 1);
}

TEST_F(VendorSimTest, RateLimitRefillsWithTheClock) {
  sims_->set_faults(Vendor::commpeak, FaultConfig{.rate_limit_per_s = 1});
  auto get = [&] { return call(port(Vendor::commpeak), verb::get, "/api/users").status; };
  EXPECT_EQ(get(), 401u);  // the token bucket admits one request per second...
  EXPECT_EQ(get(), 429u);  // ...and refuses the next
  advance(1);
  EXPECT_EQ(get(), 401u);
}

TEST_F(VendorSimTest, ResetClosesWithoutAnAnswer) {
  sims_->set_faults(Vendor::glia, FaultConfig{.reset_rate = 1});
  EXPECT_ANY_THROW(call(port(Vendor::glia), verb::get, "/operators", {kGliaAccept}));
  EXPECT_EQ(sims_->stats().at("glia").at("by_fault").at("reset"), 1);
}

TEST_F(VendorSimTest, LostAnswerAppliesTheChangeThenResets) {
  sims_->seed_record(Vendor::commpeak, {{"id", 17}, {"username", "jdoe"}});
  const std::pair<std::string, std::string> basic{
      "Authorization", "Basic b3BzeW5jOm9wc3luYy1jb21tcGVhay1wYXNzd29yZA=="};
  sims_->set_faults(Vendor::commpeak, FaultConfig{.lost_answer_rate = 1});
  EXPECT_ANY_THROW(call(port(Vendor::commpeak), verb::put, "/api/users/17", {basic, kJson},
                        R"({"first_name":"Jo"})"));
  EXPECT_EQ(sims_->stats().at("commpeak").at("by_fault").at("lost_answer"), 1);
  sims_->set_faults(Vendor::commpeak, FaultConfig{});
  auto got = call(port(Vendor::commpeak), verb::get, "/api/users/17", {basic});
  ASSERT_EQ(got.status, 200u) << got.body;
  EXPECT_EQ(got.json.at("first_name"), "Jo");  // applied although no answer came back
}

TEST_F(VendorSimTest, HungRequestIsNeverAnsweredAndStopEndsIt) {
  sims_->set_faults(Vendor::glia, FaultConfig{.hang_rate = 1});
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port(Vendor::glia)});
  boost::asio::write(
      socket, boost::asio::buffer(std::string_view("GET /operators HTTP/1.1\r\nHost: x\r\n\r\n")));
  // Wait (bounded) until the simulator has taken the request in.
  for (int i = 0; i < 500 && sims_->requests(Vendor::glia).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(sims_->requests(Vendor::glia).size(), 1u);
  EXPECT_EQ(sims_->requests(Vendor::glia).at(0).at("fault"), "hang");
  EXPECT_TRUE(sims_->requests(Vendor::glia).at(0).at("status").is_null());
  EXPECT_EQ(socket.available(), 0u);
  // TearDown's stop() must close the hung connection, or io_context::run never returns.
}

TEST_F(VendorSimTest, RequestLogRedactsCredentials) {
  glia_token();
  call(port(Vendor::iadvize), verb::get, "/api/2/operator",
       {{"X-API-Key", "opsync-iadvize-rest-key"}});
  auto glia = call(sims_->control_port(), verb::get, "/control/glia/requests");
  ASSERT_EQ(glia.json.as_array().size(), 1u);
  const auto& entry = glia.json.at(0);
  EXPECT_EQ(entry.at("json"),
            parse(R"({"api_key_id":"opsync-glia-key-id","api_key_secret":"***"})"));
  EXPECT_EQ(entry.at("status"), 200);
  EXPECT_EQ(glia.body.find("opsync-glia-key-secret"), std::string::npos);
  auto iadvize = sims_->requests(Vendor::iadvize);
  EXPECT_EQ(iadvize.at(0).at("headers").at("X-API-Key"), "***");
  EXPECT_EQ(json::serialize(iadvize).find("opsync-iadvize-rest-key"), std::string::npos);
  EXPECT_EQ(call(sims_->control_port(), verb::delete_, "/control/glia/requests").status, 204u);
  EXPECT_TRUE(sims_->requests(Vendor::glia).empty());
}

TEST_F(VendorSimTest, ControlSeedsRecordsAndResets) {
  const std::uint16_t control = sims_->control_port();
  auto seeded = call(control, verb::post, "/control/identitycall/records", {kJson},
                     R"({"id":42,"name":"Jane Doe","phone_number":"+15551234567"})");
  ASSERT_EQ(seeded.status, 201u) << seeded.body;
  EXPECT_EQ(call(control, verb::get, "/control/identitycall/records").json.at(0).at("initials"),
            "JD");
  EXPECT_EQ(call(control, verb::get, "/control/nosuchvendor/records").status, 404u);
  EXPECT_EQ(call(control, verb::post, "/control/reset").status, 200u);
  EXPECT_TRUE(sims_->records(Vendor::identitycall).empty());
}

// A record deleted behind opsync's back (someone in the vendor's console): the vendor's API
// answers 404 for its id from then on.
TEST_F(VendorSimTest, ControlDeletesARecordBehindTheClientsBack) {
  const std::uint16_t control = sims_->control_port();
  ASSERT_TRUE(sims_->seed_record(Vendor::identitycall, {{"id", 42}, {"name", "Jane Doe"}}).ok());
  const Headers key{{"Authorization", "Bearer idc_opsyncsimfullaccess0000000000001"}, kJson};
  EXPECT_EQ(call(port(Vendor::identitycall), verb::get, "/api/v1/public/operators/42", key).status,
            200u);
  EXPECT_EQ(call(control, verb::delete_, "/control/identitycall/records/42").status, 204u);
  EXPECT_TRUE(sims_->records(Vendor::identitycall).empty());
  EXPECT_EQ(call(port(Vendor::identitycall), verb::get, "/api/v1/public/operators/42", key).status,
            404u);
  EXPECT_EQ(call(control, verb::delete_, "/control/identitycall/records/42").status, 404u);
  EXPECT_EQ(call(control, verb::get, "/control/identitycall/records/42").status, 405u);
  for (Vendor v : kAllVendors) {
    auto seeded = sims_->seed_record(v, {});
    ASSERT_TRUE(seeded.ok()) << seeded.error;
    const std::string id = RecordStore::key_of(seeded.record.at("id"));
    EXPECT_TRUE(sims_->delete_record(v, id)) << vendor_name(v);
    EXPECT_TRUE(sims_->records(v).empty()) << vendor_name(v);
    EXPECT_FALSE(sims_->delete_record(v, id)) << vendor_name(v);
  }
}

// Issue 12: drift made behind opsync's back, over the control port.
TEST_F(VendorSimTest, ControlEditsAndDeletesARecord) {
  const std::uint16_t control = sims_->control_port();
  ASSERT_EQ(call(control, verb::post, "/control/identitycall/records", {kJson},
                 R"({"id":42,"name":"Jane Doe","phone_number":"+15551234567"})")
                .status,
            201u);
  auto edited = call(control, verb::patch, "/control/identitycall/records/42", {kJson},
                     R"({"name":"Edited","active":false,"id":7})");
  ASSERT_EQ(edited.status, 200u) << edited.body;
  EXPECT_EQ(edited.json.at("name"), "Edited");
  EXPECT_EQ(edited.json.at("id"), 42);  // the id is kept
  auto read = call(port(Vendor::identitycall), verb::get, "/api/v1/public/operators/42",
                   {{"Authorization", "Bearer idc_opsyncsimfullaccess0000000000001"}});
  EXPECT_EQ(read.json.at("data").at("active"), false);
  EXPECT_EQ(call(control, verb::patch, "/control/identitycall/records/43", {kJson}, "{}").status,
            404u);
  EXPECT_EQ(call(control, verb::delete_, "/control/identitycall/records/42").status, 204u);
  EXPECT_TRUE(sims_->records(Vendor::identitycall).empty());
  EXPECT_EQ(call(control, verb::delete_, "/control/identitycall/records/42").status, 404u);
  EXPECT_EQ(call(control, verb::get, "/control/identitycall/records/42").status, 405u);
}

TEST(VendorSimCommPeak, ListCanBeRefused) {
  boost::asio::io_context io;
  Options options;
  options.commpeak.list_users = false;
  VendorSimulators sims(io, options);
  std::thread runner([&] { io.run(); });
  sims.seed_record(Vendor::commpeak, {{"id", 3}});
  const std::pair<std::string, std::string> auth{
      "Authorization", "Basic b3BzeW5jOm9wc3luYy1jb21tcGVhay1wYXNzd29yZA=="};
  EXPECT_EQ(call(sims.port(Vendor::commpeak), verb::get, "/api/users", {auth}).status, 404u);
  EXPECT_EQ(call(sims.port(Vendor::commpeak), verb::get, "/api/users/3", {auth}).status, 200u);
  sims.stop();
  runner.join();
}

TEST_F(VendorSimTest, ReceiptsAreOffByDefault) {
  EXPECT_EQ(call(sims_->control_port(), verb::get, "/control/glia/receipts").status, 404u);
  EXPECT_FALSE(sims_->receipts(Vendor::glia).has_value());
}

TEST(VendorSimReceipts, CompactReceiptsReadIncrementally) {
  boost::asio::io_context io;
  Options options;
  options.record_receipts = true;
  options.max_logged_requests = 0;  // the full log is off; receipts are kept
  VendorSimulators sims(io, options);
  std::thread runner([&] { io.run(); });
  const auto before = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const std::uint16_t cp = sims.port(Vendor::commpeak);
  const Headers basic{{"Authorization", "Basic b3BzeW5jOm9wc3luYy1jb21tcGVhay1wYXNzd29yZA=="},
                      kJson};
  call(cp, verb::put, "/api/users/7", basic, R"({"first_name":"ev-1"})");
  call(cp, verb::put, "/api/users/7", basic, R"({"first_name":"ev-2"})");
  auto first = call(sims.control_port(), verb::get, "/control/commpeak/receipts");
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.json.at("from"), 0);
  EXPECT_EQ(first.json.at("next"), 2);
  const auto& r0 = first.json.at("receipts").at(0);
  EXPECT_EQ(r0.at("method"), "PUT");
  EXPECT_EQ(r0.at("target"), "/api/users/7");
  EXPECT_EQ(r0.at("body"), R"({"first_name":"ev-1"})");
  EXPECT_EQ(r0.at("status"), 404);  // no such user
  EXPECT_GE(r0.at("time_us").as_int64(), before);
  EXPECT_TRUE(sims.requests(Vendor::commpeak).empty());
  auto rest = call(sims.control_port(), verb::get, "/control/commpeak/receipts?from=1");
  ASSERT_EQ(rest.json.at("receipts").as_array().size(), 1u);
  EXPECT_EQ(rest.json.at("receipts").at(0).at("body"), R"({"first_name":"ev-2"})");
  EXPECT_EQ(call(sims.control_port(), verb::get, "/control/commpeak/receipts?from=x").status, 400u);
  EXPECT_EQ(call(sims.control_port(), verb::delete_, "/control/commpeak/receipts").status, 204u);
  call(cp, verb::put, "/api/users/7", basic, R"({"first_name":"ev-3"})");
  auto after = sims.receipts(Vendor::commpeak, 0);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->at("from"), 2);  // numbering goes on after a clear
  EXPECT_EQ(after->at("next"), 3);
  EXPECT_EQ(after->at("receipts").as_array().size(), 1u);
  sims.stop();
  runner.join();
}

}  // namespace
}  // namespace opsync::vendorsim
