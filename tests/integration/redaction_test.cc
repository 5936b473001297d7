// Secrets never leak (issue 5, "Logging"): the opsyncd binary runs at debug level with all five
// connectors, their credentials from `_file` secrets and `${ENV}`, against the vendor simulators
// (in this process, on a thread of their own) and a mock Kafka cluster. The run goes through the
// paths that handle credentials: token exchange, a 401 and its refresh (Glia tokens revoked),
// vendor refusals of unknown ids (404s, logged; the id forgotten and resolved again, and a dead
// letter where that fails), Plug Chat creates (which return an accessToken). Then the daemon's
// whole log, the dead-letter topic (keys, values, headers) and the admin answers (/metrics,
// /status, /operators/{id}) are searched for every secret: none may appear.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "kafka/mock_cluster.h"
#include "support/process.h"
#include "support/temp_dir.h"
#include "support/vendor_agreement.h"
#include "vendorsim/vendor_simulators.h"
#include "vendorsim/vendors.h"

namespace opsync {
namespace {

namespace json = boost::json;
namespace http = boost::beast::http;
using testing::ChildProcess;
using testing::TempDir;
using vendorsim::Vendor;

// Distinctive values, so that any appearance is a leak and not a coincidence.
const std::string kGliaSecret = "GLIAsecretQ7v3KpX9w2";
const std::string kPlugChatToken = "PLUGCHATintegratorZ4m8TnR1";
const std::string kIdentityCallKey = "idc_REDACTMEidentitycallsecret000042";
const std::string kIAdvizeKey = "IADVIZErestkeyH5c2LqW7";
const std::string kCommPeakPassword = "COMMPEAKpasswordJ3x6BvN8";

struct Answer {
  unsigned status = 0;
  std::string body;
};

Answer get(unsigned short port, const std::string& target,
           const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) req.set(name, value);
  req.prepare_payload();
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  return {res.result_int(), res.body()};
}

/// The value of one sample line of a Prometheus exposition (`name{labels} value`), or -1.
double metric(const std::string& exposition, const std::string& series) {
  std::istringstream in(exposition);
  for (std::string line; std::getline(in, line);) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return -1;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string base64(const std::string& text) {
  std::string out(boost::beast::detail::base64::encoded_size(text.size()), '\0');
  out.resize(boost::beast::detail::base64::encode(out.data(), text.data(), text.size()));
  return out;
}

std::string event(const std::string& event_id, const std::string& type, const std::string& op,
                  int revision, const std::string& attributes) {
  return R"({"specversion":"1.0","id":")" + event_id +
         R"(","source":"hr/redaction","type":"operator.)" + type + R"(","data":{"operator_id":")" +
         op + R"(","revision":)" + std::to_string(revision) +
         (attributes.empty() ? "" : R"(,"attributes":)" + attributes) + "}}";
}

std::string hire(const std::string& op, const std::string& extra = {}) {
  return R"({"given_name":"Grace","family_name":"Hopper","email":")" + op +
         R"(@example.com","phone":"+15550002222","active":true,"teams":["support"],)"
         R"("languages":["en"],"locale":"en-US","timezone":"Europe/Paris",)"
         R"("max_concurrent_chats":2,"channels":{"chat":true,"voice":false,"video":false})" +
         extra + "}";
}

class Redaction : public ::testing::Test {
 protected:
  static vendorsim::Options sim_options() {
    vendorsim::Options o;
    o.glia.api_key_secret = kGliaSecret;
    o.plugchat.integrator_token = kPlugChatToken;
    o.identitycall.keys = {{.token = kIdentityCallKey}};
    o.iadvize.api_key = kIAdvizeKey;
    o.commpeak.password = kCommPeakPassword;
    return o;
  }

  void SetUp() override {
    vendor_thread = std::thread([this] { vendor_io.run(); });
  }
  void TearDown() override {
    sims.stop();
    vendor_thread.join();
  }

  /// The Plug Chat accessTokens of every operator, as the vendor's API returns them.
  std::vector<std::string> plugchat_access_tokens() {
    auto answer =
        get(sims.port(Vendor::plugchat), "/integrator/account/opsync-account/operators",
            {{"Authorization", "Bearer " + kPlugChatToken}, {"Content-Type", "application/json"}});
    EXPECT_EQ(answer.status, 200u) << answer.body;
    std::vector<std::string> out;
    if (answer.status != 200) return out;
    const json::value list = json::parse(answer.body);
    for (const auto& op : list.as_array()) {
      if (const auto* t = op.as_object().if_contains("accessToken"); t && t->is_string()) {
        out.emplace_back(t->as_string());
      }
    }
    return out;
  }

  MockKafkaCluster cluster{1};
  TempDir dir;
  boost::asio::io_context vendor_io;
  vendorsim::VendorSimulators sims{vendor_io, sim_options()};
  std::thread vendor_thread;
};

TEST_F(Redaction, NoSecretReachesTheLogTheDeadLetterTopicOrTheAdminApi) {
  cluster.create_topic("ops", 2);
  cluster.create_topic("ops.dlq", 1);
  const std::string secrets_dir = dir.str() + "/secrets";
  std::filesystem::create_directories(secrets_dir);
  std::ofstream(secrets_dir + "/glia-secret") << kGliaSecret << "\n";
  std::ofstream(secrets_dir + "/plugchat-token") << kPlugChatToken;
  std::ofstream(secrets_dir + "/commpeak-password") << kCommPeakPassword << "\n";

  vendorsim::VendorCredentials creds;
  creds["glia"] =
      "api_key_id: opsync-glia-key-id\n    api_key_secret_file: " + secrets_dir + "/glia-secret";
  creds["plugchat"] = "integrator_token_file: " + secrets_dir + "/plugchat-token";
  creds["identitycall"] = "api_key: ${REDACTION_IDC_KEY}";
  creds["iadvize"] = "api_key: ${REDACTION_IADVIZE_KEY}";
  creds["commpeak"] = "username: opsync\n    password_file: " + secrets_dir + "/commpeak-password";
  const std::string config_path = dir.str() + "/opsync.yaml";
  std::ofstream(config_path)
      << "kafka:\n  brokers: [\"" << cluster.bootstraps()
      << "\"]\n  topic: ops\n  group_id: redaction\n  dead_letter_topic: ops.dlq\n"
      << "  properties:\n    log_level: \"7\"\n"
      << "state:\n  directory: " << dir.str() << "/state\n"
      << "admin:\n  listen: 127.0.0.1:0\n"
      << "logging:\n  level: debug\n"
      << testing::vendor_connectors_yaml(sims, creds, "    rate_per_second: 100\n");

  const std::vector<std::string> operators = {"emp-r1", "emp-r2", "emp-r3"};
  for (const auto& op : operators) {
    ASSERT_TRUE(
        sims.seed_record(Vendor::commpeak, {{"email", op + "@example.com"}, {"is_active", 0}})
            .ok());
  }

  const std::string log_path = dir.str() + "/opsyncd.log";
  ChildProcess daemon(
      {OPSYNCD_PATH, "run", "--config", config_path},
      {"REDACTION_IDC_KEY=" + kIdentityCallKey, "REDACTION_IADVIZE_KEY=" + kIAdvizeKey}, log_path);
  // The admin port, from the daemon's own log line.
  unsigned short admin_port = 0;
  const std::regex listening(R"(event=admin_listening .*port=(\d+))");
  for (int i = 0; i < 3000 && admin_port == 0; ++i) {
    std::smatch m;
    const std::string log = read_file(log_path);
    if (std::regex_search(log, m, listening))
      admin_port = static_cast<unsigned short>(std::stoi(m[1]));
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_NE(admin_port, 0) << read_file(log_path);

  SimpleProducer producer(cluster.bootstraps());
  int sent = 0;
  auto send = [&](const std::string& key, const std::string& value) {
    producer.produce("ops", key, value);
    ++sent;
  };
  std::string metrics;
  auto settled = [&](double dead_letters) {
    producer.flush();
    for (int i = 0; i < 1200; ++i) {
      metrics = get(admin_port, "/metrics").body;
      double backlog = 0;
      for (Vendor v : vendorsim::kAllVendors) {
        backlog += metric(metrics, "opsync_outbox_backlog{connector=\"" +
                                       std::string(vendorsim::vendor_name(v)) + "\"}");
      }
      if (metric(metrics, "opsync_events_consumed_total") == sent && backlog == 0 &&
          metric(metrics, "opsync_dead_letters_total{reason=\"vendor_rejected\"}") ==
              dead_letters) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };

  // Creates everywhere (Plug Chat answers with accessTokens).
  for (const auto& op : operators) send(op, event(op + "-c", "created", op, 1, hire(op)));
  ASSERT_TRUE(settled(0)) << metrics;

  // A 401: Glia's session tokens are revoked; the daemon must refresh and carry on.
  ASSERT_GT(sims.revoke_tokens(Vendor::glia), 0u);
  for (const auto& op : operators) {
    send(op, event(op + "-u", "updated", op, 2, R"({"max_concurrent_chats":4})"));
  }
  // Ids no vendor knows, one per vendor. Each vendor answers 404 with its own words (logged);
  // the connector forgets the id and resolves the operator again (issue 12, defect 2): four
  // vendors create it, and CommPeak, which has no create call, refuses it with a dead letter that
  // carries the request.
  std::string ghost_ids;
  for (Vendor v : vendorsim::kAllVendors) {
    ghost_ids += std::string(ghost_ids.empty() ? "" : ",") + "\"" +
                 std::string(vendorsim::vendor_name(v)) + "\":\"" +
                 std::string(v.entry().unknown_id) + "\"";
  }
  send("emp-ghost", event("ghost-c", "created", "emp-ghost", 1,
                          hire("emp-ghost", ",\"external_ids\":{" + ghost_ids + "}")));
  ASSERT_TRUE(settled(1)) << metrics;

  bool saw_401 = false;
  for (const auto& r : sims.requests(Vendor::glia)) saw_401 = saw_401 || r.at("status") == 401;
  EXPECT_TRUE(saw_401) << "the revoked token was used once";

  std::vector<std::pair<std::string, std::string>> secrets = {
      {"glia api_key_secret", kGliaSecret},
      {"plugchat integrator_token", kPlugChatToken},
      {"identitycall api_key", kIdentityCallKey},
      {"iadvize api_key", kIAdvizeKey},
      {"commpeak password", kCommPeakPassword},
      {"commpeak Basic credentials", base64("opsync:" + kCommPeakPassword)},
  };
  const auto access_tokens = plugchat_access_tokens();
  ASSERT_GE(access_tokens.size(), operators.size());
  for (const auto& t : access_tokens) {
    ASSERT_GE(t.size(), 16u) << "an accessToken long enough to search for: " << t;
    secrets.emplace_back("plugchat accessToken", t);
  }

  // Everything the daemon says to the outside.
  std::vector<std::pair<std::string, std::string>> surfaces;
  surfaces.emplace_back("/metrics", get(admin_port, "/metrics").body);
  surfaces.emplace_back("/status", get(admin_port, "/status").body);
  for (const auto& op : operators) {
    auto view = get(admin_port, "/operators/" + op);
    EXPECT_EQ(view.status, 200u);
    surfaces.emplace_back("/operators/" + op, view.body);
  }
  surfaces.emplace_back("/operators/emp-ghost", get(admin_port, "/operators/emp-ghost").body);
  auto letters = read_topic(cluster.bootstraps(), "ops.dlq", 1, std::chrono::seconds(20));
  ASSERT_EQ(letters.size(), 1u);
  std::set<std::string> rejected_by;
  for (const auto& l : letters) {
    std::string all = "key=" + l.key + "\nvalue=" + l.value;
    for (const auto& h : l.headers) {
      all += "\n" + h.name + "=" + h.value;
      if (h.name == "opsync-connector") rejected_by.insert(h.value);
    }
    EXPECT_NE(l.value.find("HTTP 404"), std::string::npos) << "names the vendor's 404: " << l.value;
    surfaces.emplace_back("dead letter " + l.key, all);
  }
  EXPECT_EQ(rejected_by, std::set<std::string>{"commpeak"});
  std::size_t ghosts_found = 0;
  for (Vendor v : vendorsim::kAllVendors) {
    for (const auto& r : sims.requests(v)) {
      ghosts_found += r.at("status") == 404 ? 1 : 0;
    }
  }
  EXPECT_GE(ghosts_found, vendorsim::kVendorCount) << "every vendor refused its unknown id";

  daemon.signal(SIGTERM);
  int status = -1;
  ASSERT_TRUE(daemon.wait_for(std::chrono::seconds(30), status));
  EXPECT_EQ(status, 0);
  const std::string log = read_file(log_path);
  EXPECT_NE(log.find("level=debug"), std::string::npos) << "the log ran at debug level";
  surfaces.emplace_back("the daemon's log", log);

  std::size_t bytes = 0;
  for (const auto& [where, text] : surfaces) {
    bytes += text.size();
    for (const auto& [what, secret] : secrets) {
      EXPECT_EQ(text.find(secret), std::string::npos) << what << " appears in " << where;
    }
  }
  std::printf("searched %zu bytes in %zu places for %zu secrets\n", bytes, surfaces.size(),
              secrets.size());
}

}  // namespace
}  // namespace opsync
