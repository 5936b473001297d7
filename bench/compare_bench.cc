// opsync against the sync a user would write instead, on the same events, broker and vendor
// simulators, in one run (issue 6).
//
// Broker: a real Apache Kafka broker (tests/e2e/kafka/broker.sh, KRaft, one node, jars from Maven
// Central, without broker.sh's flush after every message) started for the run; `--brokers
// HOST:PORT` uses one already running, `--mock` librdkafka's mock cluster in this process instead
// (its fetches wait fetch.wait.max.ms, 500 ms, even when data is there: latency is meaningless).
// Vendors: the five vendor simulators (the opsync-vendorsim program) with `--record-receipts`:
// every request's arrival time (system clock, microseconds), status and body is read back from
// their control port. They run with their defaults: no faults, no latency, no rate limit.
// (a) opsync: the real `opsyncd run --config FILE` with the five real connectors, configured
//     with the delivery limits given by --rate-per-second / --burst / --concurrency (by default
//     the highest each connector's schema accepts; IdentityCall's is 100/s).
// (b) the baseline: bench/baseline/naive_sync.py under /usr/bin/python3 (confluent-kafka,
//     requests): one request per event per vendor, the whole record, through each vendor's real
//     update call.
//
// Events: every event is a full record (`mode: snapshot`) of operator `op-<n>` carrying each
// vendor's id in `external_ids` (the operators are seeded in the simulators beforehand, so
// neither side looks ids up or creates anyone), `given_name` = `ev-<seq>` (every connector and
// the baseline send it: Glia, Plug Chat and IdentityCall in `name`, iAdvize and CommPeak in
// `first_name`) and a changing `max_concurrent_chats`. A request whose body carries `ev-<seq>`
// covers that event and the operator's earlier ones.
//
// Each run: simulators reset and seeded, a fresh topic, the child started and ready, then
// warm-up (one created event per operator, untimed, until every vendor has every operator),
// then the timed part: `burst` (events produced as fast as the producer goes: throughput) or
// `paced` (events at --rate events/s: latency). The timed part ends when every vendor has
// received every operator's last event. Figures cover the timed part only:
// - events/s: events / (first produce -> last vendor receipt);
// - requests: every request the simulators received (non-2xx included, counted apart);
// - latency of an event at a vendor: from its produce call to the first 2xx-answered request at
//   that vendor carrying that event's value or a later one;
// - CPU seconds: utime + stime of the child (all threads) from /proc/PID/stat, timed part only;
// - peak RSS: the child's ru_maxrss from wait4() (whole life).
//
//   build/h-bench/bench/compare_bench [--operators 2000] [--events 50000] [--rate 5000]
//       [--paced-seconds 10] [--baseline-events 5000] [--baseline-rate 5000]
//       [--baseline-paced-events 2500] [--vendors glia,plugchat,identitycall,iadvize,commpeak]
//       [--rate-per-second N] [--burst N] [--concurrency N] [--only opsync|baseline]
//       [--brokers HOST:PORT | --mock] [--opsyncd PATH] [--vendorsim PATH] [--python PATH]
//       [--baseline PATH] [--keep-dir]

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "kafka/mock_cluster.h"
#include "support/bench_events.h"
#include "support/receipt_server.h"
#include "vendorsim/vendors.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using namespace opsync;
using namespace opsync::bench;
using Clock = std::chrono::steady_clock;

// The vendor named `name` in the simulators' table (vendorsim/vendor.h); throws when none is.
const vendorsim::VendorEntry& vendor_entry(const std::string& name) {
  const vendorsim::VendorEntry* v = vendorsim::find_vendor(name);
  if (v == nullptr) throw std::invalid_argument("unknown vendor " + name);
  return *v;
}

std::string sarg(int argc, char** argv, const char* name, const std::string& def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return def;
}
long arg(int argc, char** argv, const char* name, long def) {
  const std::string s = sarg(argc, argv, name, "");
  return s.empty() ? def : std::stol(s);
}
bool flag(int argc, char** argv, const char* name) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return true;
  }
  return false;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, sep);) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// ---- a blocking HTTP client for the simulators' control port and the daemon's admin port ----

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
};

HttpAnswer http_call(std::uint16_t port, http::verb method, const std::string& target,
                     const std::string& body = {}) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(socket, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ULL << 31);
  http::read(socket, buffer, parser);
  boost::system::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return {parser.get().result_int(), parser.get().body()};
}

// ---- child processes ----

struct Child {
  pid_t pid = -1;
  FILE* out = nullptr;  ///< its stdout
};

/// Starts `args` with stdout on a pipe and stderr appended to `log` ("" keeps ours).
Child spawn(const std::vector<std::string>& args, const std::string& log) {
  // Everything the child needs is prepared before fork(): between fork and exec only
  // async-signal-safe calls (librdkafka's threads may hold allocator locks).
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  int log_fd = -1;
  if (!log.empty()) {
    log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) throw std::runtime_error("cannot open " + log);
  }
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    if (log_fd >= 0) dup2(log_fd, STDERR_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  if (log_fd >= 0) close(log_fd);
  return {pid, fdopen(fds[0], "r")};
}

std::string read_line(const Child& child) {
  char line[4096];
  if (std::fgets(line, sizeof line, child.out) == nullptr) return {};
  return line;
}

struct Usage {
  double cpu_seconds = 0;
  double peak_rss_mib = 0;
};

/// utime + stime of every thread of `pid` so far, from /proc/PID/stat.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close_paren = stat.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close_paren + 2));
  std::string field;
  double ticks = 0;
  // Fields from the third on (state...); utime and stime are the 14th and 15th of the line.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

Usage stop_child(Child& child, int sig = SIGTERM) {
  kill(child.pid, sig);
  int status = 0;
  rusage ru{};
  wait4(child.pid, &status, 0, &ru);
  if (child.out != nullptr) std::fclose(child.out);
  child.out = nullptr;
  Usage u;
  u.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                  static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  u.peak_rss_mib = static_cast<double>(ru.ru_maxrss) / 1024.0;
  return u;
}

// ---- the vendor simulators ----

struct Simulators {
  Child child;
  std::map<std::string, std::uint16_t> ports;
  std::uint16_t control = 0;

  std::string base_url(const std::string& vendor) const {
    return "http://127.0.0.1:" + std::to_string(ports.at(vendor));
  }
};

Simulators start_simulators(const std::string& path, const std::string& log) {
  Simulators s;
  s.child = spawn({path, "--record-receipts", "--max-logged-requests", "0"}, log);
  const std::string line = read_line(s.child);
  if (line.empty()) throw std::runtime_error("opsync-vendorsim did not start (log: " + log + ")");
  const json::object ports = json::parse(line).as_object();
  for (const auto& [name, port] : ports) {
    if (name == "control") {
      s.control = static_cast<std::uint16_t>(port.to_number<int>());
    } else {
      s.ports[std::string(name)] = static_cast<std::uint16_t>(port.to_number<int>());
    }
  }
  return s;
}

/// Seeds operator `op-<n>` (n < operators) at each vendor under the id its events carry.
void seed_operators(const Simulators& sims, const std::vector<std::string>& vendors,
                    std::int64_t operators) {
  constexpr std::int64_t kChunk = 1000;
  for (const auto& v : vendors) {
    for (std::int64_t first = 0; first < operators; first += kChunk) {
      json::array records;
      for (std::int64_t n = first; n < std::min(operators, first + kChunk); ++n) {
        records.push_back(vendor_entry(v).seeded_operator(n, bench_operator_id(n)).record);
      }
      const auto a = http_call(sims.control, http::verb::post, "/control/" + v + "/records",
                               json::serialize(records));
      if (a.status != 201) throw std::runtime_error("seeding " + v + ": " + a.body);
    }
  }
}

// ---- events ----

/// The vendor id of operator `n` at `vendor`, as seeded.
std::string vendor_id(const std::string& vendor, std::int64_t n) {
  return vendor_entry(vendor).seeded_operator(n, bench_operator_id(n)).id;
}

class VendorEventStream {
 public:
  VendorEventStream(std::int64_t operators, std::vector<std::string> vendors, std::string run)
      : operators_(operators),
        vendors_(std::move(vendors)),
        run_(std::move(run)),
        revisions_(static_cast<std::size_t>(operators), 0) {}

  /// Event `seq`: the first `operators` events create everyone in order, then random operators.
  BenchEvent next() {
    rng_ ^= rng_ >> 12;
    rng_ ^= rng_ << 25;
    rng_ ^= rng_ >> 27;
    const std::uint64_t draw = rng_ * 2685821657736338717ULL;
    BenchEvent e;
    e.seq = seq_++;
    e.op_index = e.seq < operators_
                     ? e.seq
                     : static_cast<std::int64_t>(draw % static_cast<std::uint64_t>(operators_));
    e.key = bench_operator_id(e.op_index);
    const std::int64_t revision = ++revisions_[static_cast<std::size_t>(e.op_index)];
    std::string ids;
    for (const auto& v : vendors_) {
      ids += (ids.empty() ? "\"" : ",\"") + v + "\":\"" + vendor_id(v, e.op_index) + "\"";
    }
    e.value =
        "{\"specversion\":\"1.0\",\"id\":\"bench-" + run_ + "-" + std::to_string(e.seq) +
        "\",\"source\":\"bench/hr\",\"type\":\"" +
        (revision == 1 ? "operator.created" : "operator.updated") + "\",\"subject\":\"" + e.key +
        "\",\"data\":{\"operator_id\":\"" + e.key + "\",\"revision\":" + std::to_string(revision) +
        ",\"mode\":\"snapshot\",\"attributes\":{\"given_name\":\"ev-" + std::to_string(e.seq) +
        "\",\"family_name\":\"Bench\",\"email\":\"" + e.key +
        "@example.com\",\"active\":true,\"max_concurrent_chats\":" + std::to_string(1 + e.seq % 8) +
        ",\"external_ids\":{" + ids + "}}}}";
    return e;
  }
  std::int64_t produced() const { return seq_; }

 private:
  std::int64_t operators_;
  std::vector<std::string> vendors_;
  std::string run_;
  std::uint64_t rng_ = 11;
  std::int64_t seq_ = 0;
  std::vector<std::int64_t> revisions_;
};

std::int64_t marker_seq(std::string_view body) {
  const auto at = body.find("ev-");
  if (at == std::string_view::npos) return -1;
  std::int64_t value = -1;
  auto [ptr, ec] = std::from_chars(body.data() + at + 3, body.data() + body.size(), value);
  (void)ptr;
  return ec == std::errc{} ? value : -1;
}

// ---- one run ----

struct Broker {
  std::string bootstrap;
  std::unique_ptr<MockKafkaCluster> mock;  ///< with --mock
  void create_topic(const std::string& topic, int partitions) const {
    if (mock) {
      mock->create_topic(topic, partitions);
    } else {
      opsync::create_topic(bootstrap, topic, partitions);
    }
  }
};

struct Settings {
  std::int64_t operators = 2000;
  std::vector<std::string> vendors;
  std::string opsyncd, python, baseline;
  double rate_per_second = 0;  ///< 0: each connector's maximum
  long burst = 0;              ///< 0: each connector's maximum
  long concurrency = 64;
  std::filesystem::path dir;
};

struct VendorFigures {
  std::uint64_t requests = 0;
  std::uint64_t failed = 0;  ///< answered non-2xx or not at all
  double seconds = 0;        ///< first produce -> last receipt at this vendor
  double p50 = 0, p99 = 0;
};

struct RunResult {
  std::string who;
  std::string mode;
  DeliveryFigures figures;
  std::vector<VendorFigures> per_vendor;
  double seconds = 0;      // first produce -> last receipt
  double cpu_seconds = 0;  // timed part
  double total_cpu_seconds = 0;
  double peak_rss_mib = 0;
  std::uint64_t failed = 0;
  bool complete = true;
};

/// Reads every simulator's receipts incrementally.
class ReceiptReader {
 public:
  ReceiptReader(const Simulators& sims, const std::vector<std::string>& vendors)
      : sims_(sims), vendors_(vendors), next_(vendors.size(), 0) {}

  struct Got {
    std::int32_t vendor = 0;
    std::int64_t seq = -1;  ///< ev-<seq> in the body, -1 if none
    bool ok = false;        ///< answered 2xx
    std::int64_t received_us = 0;
  };
  std::vector<Got> poll() {
    std::vector<Got> out;
    for (std::size_t v = 0; v < vendors_.size(); ++v) {
      const auto a =
          http_call(sims_.control, http::verb::get,
                    "/control/" + vendors_[v] + "/receipts?from=" + std::to_string(next_[v]));
      if (a.status != 200) throw std::runtime_error("receipts: " + a.body);
      const json::object page = json::parse(a.body).as_object();
      next_[v] = page.at("next").to_number<std::uint64_t>();
      for (const auto& r : page.at("receipts").as_array()) {
        const auto& o = r.as_object();
        Got g;
        g.vendor = static_cast<std::int32_t>(v);
        g.seq = marker_seq(o.at("body").as_string());
        const auto& status = o.at("status");
        g.ok = status.is_number() && status.to_number<int>() / 100 == 2;
        g.received_us = o.at("time_us").to_number<std::int64_t>();
        out.push_back(g);
      }
    }
    return out;
  }

 private:
  const Simulators& sims_;
  const std::vector<std::string>& vendors_;
  std::vector<std::uint64_t> next_;
};

/// Waits until every vendor has, for every operator in `last_seq`, a 2xx receipt carrying that
/// seq or a later one. Everything read is appended to `got`. False on timeout.
bool wait_covered(ReceiptReader& reader, const std::map<std::int64_t, std::int64_t>& last_seq,
                  const std::vector<ProducedEvent>& produced, std::size_t vendors,
                  std::vector<ReceiptReader::Got>& got, Clock::time_point deadline,
                  const std::function<bool()>& alive) {
  std::vector<std::map<std::int64_t, std::int64_t>> covered(vendors);  // op -> max seq
  std::size_t complete = 0;
  const std::size_t want = vendors * last_seq.size();
  std::size_t seen = 0;
  for (;;) {
    for (; seen < got.size(); ++seen) {
      const auto& g = got[seen];
      if (!g.ok || g.seq < 0 || static_cast<std::size_t>(g.seq) >= produced.size()) continue;
      const std::int64_t op = produced[static_cast<std::size_t>(g.seq)].op_index;
      auto it = last_seq.find(op);
      if (it == last_seq.end()) continue;
      auto& c = covered[static_cast<std::size_t>(g.vendor)].try_emplace(op, -1).first->second;
      if (c < it->second && g.seq >= it->second) ++complete;
      c = std::max(c, g.seq);
    }
    if (complete == want) return true;
    if (Clock::now() > deadline || !alive()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto more = reader.poll();
    got.insert(got.end(), more.begin(), more.end());
  }
}

std::string opsync_config(const Settings& s, const Simulators& sims, const std::string& brokers,
                          const std::string& topic, const std::string& state_dir) {
  std::string y = "kafka:\n  brokers: [\"" + brokers + "\"]\n  topic: " + topic +
                  "\n  group_id: opsync-bench\n  dead_letter_topic: " + topic +
                  ".dlq\n  properties:\n    log_level: \"3\"\n"
                  "state:\n  directory: " +
                  state_dir +
                  "\nadmin:\n  listen: 127.0.0.1:0\nlogging:\n  level: info\n"
                  "connectors:\n";
  for (const auto& v : s.vendors) {
    // The schemas' maxima (connectors/*/..._settings.cc): IdentityCall 100/s with a burst of 300.
    const vendorsim::VendorEntry& entry = vendor_entry(v);
    const double max_rate = entry.max_rate_per_second;
    const long max_burst = entry.max_burst;
    const double rate = s.rate_per_second > 0 ? std::min(s.rate_per_second, max_rate) : max_rate;
    const long burst = s.burst > 0 ? std::min(s.burst, max_burst) : max_burst;
    char limits[160];
    std::snprintf(limits, sizeof limits,
                  "    rate_per_second: %g\n    burst: %ld\n    concurrency: %ld\n", rate, burst,
                  s.concurrency);
    // Base URL and credentials only: no sample tables, no create_missing (every operator is
    // seeded under the id its events carry).
    y += vendorsim::connector_yaml(entry, sims.base_url(v), {}, limits, /*sample=*/false);
  }
  return y;
}

/// The admin port from the daemon's `event=admin_listening ... port=N` log line.
std::uint16_t admin_port(const std::string& log_path, std::size_t from, pid_t pid) {
  for (int i = 0; i < 3000; ++i) {
    std::ifstream in(log_path);
    std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (log.size() > from) {
      const auto at = log.find("event=admin_listening", from);
      if (at != std::string::npos) {
        const auto p = log.find("port=", at);
        if (p != std::string::npos) return static_cast<std::uint16_t>(std::stoi(log.substr(p + 5)));
      }
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("opsyncd did not start its admin server (log: " + log_path + ")");
}

std::size_t file_size(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<std::size_t>(n);
}

RunResult run_once(const Settings& s, Broker& broker, const Simulators& sims,
                   const std::string& who, std::int64_t events, double rate, int run_number) {
  const std::string topic = "operators-" + std::to_string(run_number);
  broker.create_topic(topic, 6);
  broker.create_topic(topic + ".dlq", 1);
  if (http_call(sims.control, http::verb::post, "/control/reset").status != 200) {
    throw std::runtime_error("simulator reset failed");
  }
  seed_operators(sims, s.vendors, s.operators);

  const std::string log = (s.dir / (who + ".log")).string();
  Child child;
  if (who == "opsync") {
    const auto state_dir = s.dir / ("state-" + std::to_string(run_number));
    std::filesystem::create_directories(state_dir);
    const auto config = s.dir / ("opsync-" + std::to_string(run_number) + ".yaml");
    std::ofstream(config) << opsync_config(s, sims, broker.bootstrap, topic, state_dir.string());
    const std::size_t from = file_size(log);
    child = spawn({s.opsyncd, "run", "--config", config.string()}, log);
    const std::uint16_t port = admin_port(log, from, child.pid);
    for (int i = 0;; ++i) {
      if (http_call(port, http::verb::get, "/readyz").status == 200) break;
      if (i > 3000) throw std::runtime_error("opsyncd never became ready (log: " + log + ")");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } else {
    std::vector<std::string> args = {s.python,         s.baseline, "--brokers",
                                     broker.bootstrap, "--topic",  topic};
    for (const auto& v : s.vendors) {
      args.insert(args.end(), {"--vendor", v + "=" + sims.base_url(v)});
    }
    child = spawn(args, log);
    if (read_line(child).rfind("ready", 0) != 0) {
      throw std::runtime_error("naive_sync.py exited before it was ready (log: " + log + ")");
    }
  }
  auto alive = [&] { return waitpid(child.pid, nullptr, WNOHANG) == 0; };

  SimpleProducer producer(broker.bootstrap);
  VendorEventStream stream(s.operators, s.vendors, std::to_string(run_number));
  std::vector<ProducedEvent> produced;
  produced.reserve(static_cast<std::size_t>(s.operators + events));
  ReceiptReader reader(sims, s.vendors);
  std::vector<ReceiptReader::Got> got;
  const auto timeout = std::chrono::seconds(900);

  // Warm-up: everyone created at every vendor, untimed.
  std::map<std::int64_t, std::int64_t> last_seq;
  while (stream.produced() < s.operators) {
    BenchEvent e = stream.next();
    produced.push_back({e.op_index, wall_us()});
    last_seq[e.op_index] = e.seq;
    producer.produce(topic, e.key, e.value);
  }
  producer.flush();
  if (!wait_covered(reader, last_seq, produced, s.vendors.size(), got, Clock::now() + timeout,
                    alive)) {
    stop_child(child, SIGKILL);
    throw std::runtime_error(who + ": warm-up did not complete (log: " + log + ")");
  }
  got.clear();  // from here on, every receipt belongs to the timed part

  // The timed part.
  const double cpu_before = cpu_seconds(child.pid);
  last_seq.clear();
  const auto start = Clock::now();
  while (stream.produced() < s.operators + events) {
    if (rate > 0) {
      const auto due =
          start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                      static_cast<double>(stream.produced() - s.operators) / rate));
      if (due > Clock::now()) std::this_thread::sleep_until(due);
    }
    BenchEvent e = stream.next();
    produced.push_back({e.op_index, wall_us()});
    last_seq[e.op_index] = e.seq;
    producer.produce(topic, e.key, e.value);
  }
  producer.flush();
  RunResult out;
  out.who = who;
  out.mode = rate > 0 ? "paced " + std::to_string(static_cast<long>(rate)) + "/s" : "burst";
  out.complete = wait_covered(reader, last_seq, produced, s.vendors.size(), got,
                              Clock::now() + timeout, alive);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // stragglers (e.g. a 2nd call)
  auto more = reader.poll();
  got.insert(got.end(), more.begin(), more.end());
  out.cpu_seconds = cpu_seconds(child.pid) - cpu_before;
  const Usage usage = stop_child(child);
  out.total_cpu_seconds = usage.cpu_seconds;
  out.peak_rss_mib = usage.peak_rss_mib;

  // Receipts: marked and answered 2xx ones cover events; every one counts as a request.
  const auto first = s.operators;
  std::vector<Receipt> receipts;
  out.per_vendor.resize(s.vendors.size());
  for (const auto& g : got) {
    Receipt r;
    r.vendor = g.vendor;
    r.received_us = g.received_us;
    if (g.ok && g.seq >= first && static_cast<std::size_t>(g.seq) < produced.size()) {
      r.seq = g.seq;
      r.op_index = produced[static_cast<std::size_t>(g.seq)].op_index;
    } else {
      r.seq = first;  // counted, covers nothing
      r.op_index = -1;
    }
    if (!g.ok) {
      ++out.failed;
      ++out.per_vendor[static_cast<std::size_t>(g.vendor)].failed;
    }
    receipts.push_back(r);
  }
  for (std::size_t v = 0; v < s.vendors.size(); ++v) {
    std::vector<Receipt> mine;
    for (const auto& r : receipts) {
      if (static_cast<std::size_t>(r.vendor) != v) continue;
      mine.push_back(r);
      mine.back().vendor = 0;
    }
    DeliveryFigures f = measure(produced, std::move(mine), 1, first);
    auto& pv = out.per_vendor[v];
    pv.requests = f.requests();
    pv.seconds = static_cast<double>(f.last_received_us - f.first_produced_us) / 1e6;
    pv.p50 = f.percentile(50);
    pv.p99 = f.percentile(99);
  }
  out.figures = measure(produced, std::move(receipts), s.vendors.size(), first);
  out.seconds =
      static_cast<double>(out.figures.last_received_us - out.figures.first_produced_us) / 1e6;
  return out;
}

void print(const RunResult& r, const std::vector<std::string>& vendors) {
  const auto& f = r.figures;
  const double distinct = static_cast<double>(f.distinct_operators_per_vendor.at(0));
  std::printf(
      "%-8s %-11s %7llu events %8.0f ev/s  %6.3f req/ev  %5.3f req/vendor/op  "
      "p50 %8.1f p95 %8.1f p99 %8.1f ms  CPU %6.2f s  RSS %5.1f MiB%s%s\n",
      r.who.c_str(), r.mode.c_str(), static_cast<unsigned long long>(f.events),
      static_cast<double>(f.events) / r.seconds,
      static_cast<double>(f.requests()) / static_cast<double>(f.events),
      static_cast<double>(f.requests()) / static_cast<double>(vendors.size()) / distinct,
      f.percentile(50), f.percentile(95), f.percentile(99), r.cpu_seconds, r.peak_rss_mib,
      r.failed ? ("  " + std::to_string(r.failed) + " non-2xx").c_str() : "",
      r.complete ? "" : "  INCOMPLETE (timed out or child exited)");
  for (std::size_t v = 0; v < vendors.size(); ++v) {
    const auto& pv = r.per_vendor[v];
    std::printf("    %-12s %7llu req  %5.3f req/op  done in %7.2f s  p50 %8.1f p99 %8.1f ms%s\n",
                vendors[v].c_str(), static_cast<unsigned long long>(pv.requests),
                static_cast<double>(pv.requests) / distinct, pv.seconds, pv.p50, pv.p99,
                pv.failed ? ("  " + std::to_string(pv.failed) + " non-2xx").c_str() : "");
  }
  std::fflush(stdout);
}

std::string broker_script_run(const std::string& script, const std::string& cmd,
                              const std::string& dir) {
  const std::string line = script + " " + cmd + " '" + dir + "' 2>&1";
  FILE* p = popen(line.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("cannot run " + script);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = pclose(p);
  if (cmd == "start" && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
    throw std::runtime_error("broker.sh start failed:\n" + out);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::err);
  signal(SIGPIPE, SIG_IGN);
  Settings s;
  s.operators = arg(argc, argv, "--operators", 2000);
  const auto events = arg(argc, argv, "--events", 50000);
  const auto rate = static_cast<double>(arg(argc, argv, "--rate", 5000));
  const auto paced_seconds = arg(argc, argv, "--paced-seconds", 10);
  const auto baseline_events = arg(argc, argv, "--baseline-events", 5000);
  const auto baseline_rate = static_cast<double>(arg(argc, argv, "--baseline-rate", 5000));
  const auto baseline_paced = arg(argc, argv, "--baseline-paced-events", 2500);
  std::string every_vendor;
  for (vendorsim::Vendor v : vendorsim::kAllVendors) {
    every_vendor += (every_vendor.empty() ? "" : ",") + std::string(vendorsim::vendor_name(v));
  }
  s.vendors = split(sarg(argc, argv, "--vendors", every_vendor), ',');
  for (const auto& v : s.vendors) {
    if (vendorsim::find_vendor(v) == nullptr) {
      std::fprintf(stderr, "compare_bench: unknown vendor %s\n", v.c_str());
      return 2;
    }
  }
  s.rate_per_second = std::stod(sarg(argc, argv, "--rate-per-second", "0"));
  s.burst = arg(argc, argv, "--burst", 0);
  s.concurrency = arg(argc, argv, "--concurrency", 64);
  s.opsyncd = sarg(argc, argv, "--opsyncd", OPSYNC_OPSYNCD_PATH);
  s.python = sarg(argc, argv, "--python", "/usr/bin/python3");
  s.baseline = sarg(argc, argv, "--baseline", OPSYNC_BASELINE_PATH);
  const std::string vendorsim = sarg(argc, argv, "--vendorsim", OPSYNC_VENDORSIM_PATH);
  const std::string only = sarg(argc, argv, "--only", "");  // "opsync" or "baseline"
  const bool mock = flag(argc, argv, "--mock");
  bool keep_dir = flag(argc, argv, "--keep-dir");

  std::random_device rd;
  s.dir = std::filesystem::temp_directory_path() / ("opsync-compare-" + std::to_string(rd()));
  std::filesystem::create_directories(s.dir);
  Broker broker;
  bool started_broker = false;
  const std::string broker_dir = (s.dir / "kafka").string();
  struct Cleanup {
    std::function<void()> f;
    ~Cleanup() { f(); }
  };
  Simulators sims;
  Cleanup cleanup{[&] {
    if (sims.child.pid > 0) stop_child(sims.child);
    if (started_broker) broker_script_run(OPSYNC_BROKER_SCRIPT, "kill", broker_dir);
    std::error_code ec;
    if (!keep_dir) std::filesystem::remove_all(s.dir, ec);
  }};

  try {
    std::string broker_kind;
    if (mock) {
      broker.mock = std::make_unique<MockKafkaCluster>(1);
      broker.bootstrap = broker.mock->bootstraps();
      broker_kind = "librdkafka mock cluster";
    } else if (const auto b = sarg(argc, argv, "--brokers", ""); !b.empty()) {
      broker.bootstrap = b;
      broker_kind = "Kafka at " + b;
    } else {
      started_broker = true;
      // broker.sh flushes every message for the durability tests; a production broker leaves
      // flushing to the OS (and replication), so the benchmark does too.
      setenv("OPSYNC_KAFKA_EXTRA_PROPERTIES", "log.flush.interval.messages=9223372036854775807", 0);
      const std::string out = broker_script_run(OPSYNC_BROKER_SCRIPT, "start", broker_dir);
      broker.bootstrap = split(out, '\n').back();
      broker_kind = "Apache Kafka (tests/e2e/kafka/broker.sh) at " + broker.bootstrap;
    }
    sims = start_simulators(vendorsim, (s.dir / "vendorsim.log").string());

    std::string vendor_list;
    for (const auto& v : s.vendors) vendor_list += (vendor_list.empty() ? "" : ",") + v;
    std::printf(
        "compare_bench: %lld operators (seeded at each vendor, ids in external_ids), vendors %s; "
        "%s, topics of 6 partitions; opsync-vendorsim (no faults, no latency, no rate limit); "
        "opsyncd connector limits: %s, concurrency %ld; latency = produce -> first 2xx vendor "
        "receipt carrying the event's value or a later one; figures cover the timed part (after "
        "a warm-up creating everyone)\n",
        static_cast<long long>(s.operators), vendor_list.c_str(), broker_kind.c_str(),
        s.rate_per_second > 0 ? ("rate " + std::to_string(s.rate_per_second) + "/s").c_str()
                              : "each connector's maximum rate and burst (IdentityCall 100/s)",
        s.concurrency);
    std::fflush(stdout);

    std::vector<RunResult> results;
    int run = 0;
    if (only != "baseline") {
      results.push_back(run_once(s, broker, sims, "opsync", events, 0, ++run));
      print(results.back(), s.vendors);
      results.push_back(run_once(s, broker, sims, "opsync",
                                 static_cast<std::int64_t>(rate) * paced_seconds, rate, ++run));
      print(results.back(), s.vendors);
    }
    if (only != "opsync") {
      results.push_back(run_once(s, broker, sims, "baseline", baseline_events, 0, ++run));
      print(results.back(), s.vendors);
      results.push_back(
          run_once(s, broker, sims, "baseline", baseline_paced, baseline_rate, ++run));
      print(results.back(), s.vendors);
    }
    if (results.size() < 4) return 0;

    const RunResult& ob = results[0];
    const RunResult& bb = results[2];
    auto eps = [](const RunResult& r) { return static_cast<double>(r.figures.events) / r.seconds; };
    auto rpe = [](const RunResult& r) {
      return static_cast<double>(r.figures.requests()) / static_cast<double>(r.figures.events);
    };
    auto cpe = [](const RunResult& r) {
      return r.cpu_seconds / static_cast<double>(r.figures.events);
    };
    std::printf(
        "ratios opsync/baseline, burst: events/s %.1fx; requests per event %.3fx; CPU per event "
        "%.3fx; peak RSS %.2fx\n",
        eps(ob) / eps(bb), rpe(ob) / rpe(bb), cpe(ob) / cpe(bb), ob.peak_rss_mib / bb.peak_rss_mib);
    std::printf(
        "ratios opsync/baseline, paced: requests per event %.3fx; p50 latency %.3fx; p99 latency "
        "%.3fx\n",
        rpe(results[1]) / rpe(results[3]),
        results[1].figures.percentile(50) / results[3].figures.percentile(50),
        results[1].figures.percentile(99) / results[3].figures.percentile(99));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "compare_bench: %s (files kept in %s)\n", e.what(), s.dir.c_str());
    keep_dir = true;
    return 1;
  }
  return 0;
}
