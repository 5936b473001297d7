// A stored vendor id that stopped existing at the vendor (issue 12, defect 2): the operator was
// deleted there behind opsync's back, or hard-deleted at IdentityCall and hired again later. The
// vendor answers 404 for the id; opsync forgets it (and the shadow), resolves the operator again
// (looked up by its natural key where the connector does, else created) and pushes the full
// record, once per push. A vendor that cannot create (CommPeak) dead-letters it with a clear
// reason. Each real connector, driven by the Dispatcher, against its vendor simulator.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "dispatch/dispatcher.h"
#include "framework/registry.h"
#include "store/state_store.h"
#include "support/temp_dir.h"
#include "support/vendor_agreement.h"
#include "unit/dispatch/put_operator.h"
#include "unit/dispatch/run_loop.h"
#include "vendorsim/record_store.h"
#include "vendorsim/vendor_simulators.h"
#include "vendorsim/vendors.h"

namespace opsync {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using vendorsim::Vendor;

// Operator emp-1 named `given family`: every vendor maps one of the names or both.
std::string attributes(const std::string& name) {
  const std::string family = name.substr(name.find(' ') + 1);
  return R"({"given_name":"Ada","family_name":")" + family + R"(","display_name":")" + name +
         R"(","email":"emp-1@example.com","phone":"+15550001111","active":true,)"
         R"("role":"operator","teams":["support"],"languages":["en"],"locale":"en-US",)"
         R"("timezone":"Europe/Lisbon","max_concurrent_chats":3,)"
         R"("channels":{"chat":true,"voice":true,"video":false}})";
}

class VendorIdGone : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    sim_thread = std::thread([this] { sim_io.run(); });
  }
  void TearDown() override {
    dispatcher.reset();
    connectors.clear();
    sims.stop();
    sim_thread.join();
  }

  Vendor vendor() const { return *vendorsim::vendor_from_name(GetParam()); }

  /// The vendor's connector against its simulator, with the sample settings and `extra`.
  void make_connector(const std::string& extra = {}) {
    const vendorsim::VendorEntry& entry = vendor().entry();
    const std::string yaml = vendorsim::connector_yaml(entry, sims.base_url(vendor()), {}, extra);
    ConnectorConfig config;
    config.name = std::string(entry.name);
    config.type = std::string(entry.name);
    config.file = "test.yaml";
    config.settings = YAML::Load(yaml)[config.name];
    connectors = builtin_connectors().create_all({config}, io);
    ASSERT_EQ(connectors.size(), 1u);
    dispatcher = std::make_unique<Dispatcher>(io, store, std::vector<Connector*>{connector()});
    dispatcher->start();
  }
  Connector* connector() { return connectors.front().get(); }
  const std::string& name() { return connector()->name(); }

  /// Puts emp-1 with `attributes` (deleted when `deleted`) and runs its push to the end.
  void change(const std::string& attrs, bool deleted = false) {
    CanonicalOperator op;
    op.id = "emp-1";
    op.attributes = json::parse(attrs).as_object();
    op.deleted = deleted;
    {
      Transaction tx(store);
      store.operators().save(op, test::now_ms());
      store.outbox().upsert(name(), op.id, test::now_ms());
      tx.commit();
    }
    dispatcher->notify(name(), op.id);
    test::run_body(io, [&]() -> boost::asio::awaitable<void> {
      co_await test::wait_until([&] { return !store.outbox().load_entry(name(), "emp-1"); });
    }());
  }

  std::optional<std::string> vendor_id() { return store.shadows().load_vendor_id(name(), "emp-1"); }
  std::vector<DeadLetter> dead_letters() { return store.dead_letters().load(100); }
  testing::AgreementReport agreement() {
    return testing::check_vendor_agreement(store, connectors,
                                           testing::simulator_records(sims, connectors));
  }
  std::size_t records() { return sims.records(vendor()).size(); }

  boost::asio::io_context sim_io;
  vendorsim::VendorSimulators sims{sim_io, {}};
  std::thread sim_thread;
  boost::asio::io_context io;
  testing::TempDir dir;
  StateStore store{dir.str()};
  std::vector<std::unique_ptr<Connector>> connectors;
  std::unique_ptr<Dispatcher> dispatcher;
};

// Deleted at the vendor behind opsync's back: the next change re-creates the operator (Glia,
// Plug Chat, IdentityCall, iAdvize: none of them still has a record with its e-mail) under a new
// id, with the whole record, and nothing is dead-lettered.
TEST_P(VendorIdGone, AnOperatorDeletedAtTheVendorIsRecreatedOnTheNextChange) {
  make_connector();
  change(attributes("Ada Byron"));
  ASSERT_TRUE(dead_letters().empty()) << dead_letters().front().value;
  const std::optional<std::string> first = vendor_id();
  ASSERT_TRUE(first);
  ASSERT_TRUE(sims.delete_record(vendor(), *first));
  ASSERT_EQ(records(), 0u);

  change(attributes("Ada King"));
  EXPECT_TRUE(dead_letters().empty()) << dead_letters().front().value;
  ASSERT_TRUE(vendor_id());
  EXPECT_NE(*vendor_id(), *first);
  EXPECT_EQ(records(), 1u);
  const testing::AgreementReport report = agreement();
  EXPECT_TRUE(report.ok()) << report.summary();

  // The new id is the one used from now on: the next change is an ordinary update.
  const std::string second = *vendor_id();
  change(attributes("Ada Lovelace"));
  EXPECT_TRUE(dead_letters().empty());
  EXPECT_EQ(vendor_id(), second);
  EXPECT_EQ(records(), 1u);
  EXPECT_TRUE(agreement().ok()) << agreement().summary();
}

INSTANTIATE_TEST_SUITE_P(Vendors, VendorIdGone,
                         ::testing::Values("glia", "plugchat", "identitycall", "iadvize"),
                         [](const auto& info) { return info.param; });

class CommPeakIdGone : public VendorIdGone {};

// CommPeak cannot create users: a user deleted there and added again by hand with the same
// e-mail (a new id) is found by it; one that is simply gone is dead-lettered with a reason that
// says so.
TEST_P(CommPeakIdGone, AUserDeletedAtCommPeakIsFoundAgainByEmailOrDeadLetteredWithTheReason) {
  ASSERT_TRUE(sims.seed_record(Vendor::commpeak, {{"email", "emp-1@example.com"}}).ok());
  make_connector();
  change(attributes("Ada Byron"));
  ASSERT_TRUE(dead_letters().empty()) << dead_letters().front().value;
  const std::string first = vendor_id().value_or("");
  ASSERT_FALSE(first.empty());

  // Deleted, then added again by hand: found by e-mail under its new id.
  ASSERT_TRUE(sims.delete_record(Vendor::commpeak, first));
  auto again = sims.seed_record(Vendor::commpeak, {{"email", "emp-1@example.com"}});
  ASSERT_TRUE(again.ok()) << again.error;
  change(attributes("Ada King"));
  EXPECT_TRUE(dead_letters().empty()) << dead_letters().front().value;
  const std::string second = vendor_id().value_or("");
  EXPECT_NE(second, first);
  EXPECT_EQ(second, vendorsim::RecordStore::key_of(again.record.at("id")));
  EXPECT_TRUE(agreement().ok()) << agreement().summary();

  // Deleted for good: CommPeak has no create call, so the push is dead-lettered, saying why.
  ASSERT_TRUE(sims.delete_record(Vendor::commpeak, second));
  change(attributes("Ada Lovelace"));
  const std::vector<DeadLetter> letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_NE(letters[0].value.find("no longer exists"), std::string::npos) << letters[0].value;
  EXPECT_NE(letters[0].value.find("no create call"), std::string::npos) << letters[0].value;
  EXPECT_FALSE(vendor_id()) << "the dead id is forgotten";
}

INSTANTIATE_TEST_SUITE_P(Vendors, CommPeakIdGone, ::testing::Values("commpeak"),
                         [](const auto& info) { return info.param; });

class IdentityCallRehire : public VendorIdGone {};

// IdentityCall deletes for good (delete_policy: delete is a hard delete). An operator deleted and
// hired again later under the same canonical id is created afresh, under a new IdentityCall id.
TEST_P(IdentityCallRehire, AHardDeleteThenARehireConverges) {
  make_connector("    delete_policy: delete\n");
  change(attributes("Ada Byron"));
  const std::string first = vendor_id().value_or("");
  ASSERT_FALSE(first.empty());
  change(attributes("Ada Byron"), /*deleted=*/true);
  ASSERT_EQ(records(), 0u) << "the delete is a hard delete";
  ASSERT_TRUE(dead_letters().empty()) << dead_letters().front().value;

  change(attributes("Ada Byron"));  // rehired
  EXPECT_TRUE(dead_letters().empty()) << dead_letters().front().value;
  EXPECT_EQ(records(), 1u);
  ASSERT_TRUE(vendor_id());
  EXPECT_NE(*vendor_id(), first);
  EXPECT_TRUE(agreement().ok()) << agreement().summary();
}

INSTANTIATE_TEST_SUITE_P(Vendors, IdentityCallRehire, ::testing::Values("identitycall"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace opsync
