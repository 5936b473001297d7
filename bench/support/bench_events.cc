#include "support/bench_events.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string_view>
#include <unordered_map>

namespace opsync::bench {

std::string bench_operator_id(std::int64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "op-%07lld", static_cast<long long>(index));
  return buf;
}

BenchEventStream::BenchEventStream(std::int64_t operators, std::uint64_t seed, bool hire_all_first)
    : operators_(operators),
      hire_all_first_(hire_all_first),
      rng_(seed | 1),
      revisions_(static_cast<std::size_t>(operators), 0) {}

BenchEvent BenchEventStream::next() {
  // xorshift64*: cheap and deterministic.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  const std::uint64_t draw = rng_ * 2685821657736338717ULL;
  BenchEvent e;
  e.seq = seq_++;
  e.op_index = (hire_all_first_ && e.seq < operators_)
                   ? e.seq
                   : static_cast<std::int64_t>(draw % static_cast<std::uint64_t>(operators_));
  e.key = bench_operator_id(e.op_index);
  const std::int64_t revision = ++revisions_[static_cast<std::size_t>(e.op_index)];
  const std::string name = "ev-" + std::to_string(e.seq);
  std::string type;
  std::string data = "{\"operator_id\":\"" + e.key + "\",\"revision\":" + std::to_string(revision);
  if (revision == 1) {
    type = "operator.created";
    data += ",\"mode\":\"snapshot\",\"attributes\":{\"given_name\":\"Bench\",\"family_name\":\"" +
            e.key + "\",\"display_name\":\"" + name + "\",\"email\":\"" + e.key +
            "@example.com\",\"active\":true,\"teams\":[\"support\"],\"max_concurrent_chats\":" +
            std::to_string(1 + e.seq % 8) + "}}";
  } else {
    type = "operator.updated";
    data += ",\"mode\":\"patch\",\"attributes\":{\"display_name\":\"" + name +
            "\",\"max_concurrent_chats\":" + std::to_string(1 + e.seq % 8) + "}}";
  }
  e.value = "{\"specversion\":\"1.0\",\"id\":\"bench-" + std::to_string(e.seq) +
            "\",\"source\":\"bench/hr\",\"type\":\"" + type + "\",\"subject\":\"" + e.key +
            "\",\"data\":" + data + "}";
  return e;
}

std::uint64_t DeliveryFigures::requests() const {
  std::uint64_t n = 0;
  for (auto r : requests_per_vendor) n += r;
  return n;
}

double DeliveryFigures::percentile(double p) const {
  if (latencies_ms.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * latencies_ms.size()));
  rank = std::clamp<std::size_t>(rank, 1, latencies_ms.size());
  return latencies_ms[rank - 1];
}

DeliveryFigures measure(const std::vector<ProducedEvent>& events, std::vector<Receipt> receipts,
                        std::size_t vendors, std::int64_t first_seq) {
  DeliveryFigures f;
  f.requests_per_vendor.assign(vendors, 0);
  f.distinct_operators_per_vendor.assign(vendors, 0);
  f.events = events.size() - static_cast<std::size_t>(first_seq);
  f.first_produced_us = events.size() > static_cast<std::size_t>(first_seq)
                            ? events[static_cast<std::size_t>(first_seq)].produced_us
                            : 0;
  // Per (vendor, operator): receipts in arrival order.
  std::sort(receipts.begin(), receipts.end(),
            [](const Receipt& a, const Receipt& b) { return a.received_us < b.received_us; });
  std::vector<std::unordered_map<std::int64_t, std::vector<const Receipt*>>> by_op(vendors);
  for (const Receipt& r : receipts) {
    if (r.vendor < 0 || static_cast<std::size_t>(r.vendor) >= vendors) continue;
    if (r.seq < first_seq) continue;  // an earlier phase's receipt
    ++f.requests_per_vendor[static_cast<std::size_t>(r.vendor)];
    by_op[static_cast<std::size_t>(r.vendor)][r.op_index].push_back(&r);
    f.last_received_us = std::max(f.last_received_us, r.received_us);
  }
  // Events per operator, in seq order.
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> seqs;
  for (std::size_t s = static_cast<std::size_t>(first_seq); s < events.size(); ++s) {
    seqs[events[s].op_index].push_back(static_cast<std::int64_t>(s));
  }
  for (std::size_t v = 0; v < vendors; ++v) f.distinct_operators_per_vendor[v] = seqs.size();
  f.latencies_ms.reserve(f.events * vendors);
  for (std::size_t v = 0; v < vendors; ++v) {
    for (const auto& [op, list] : seqs) {
      auto it = by_op[v].find(op);
      std::size_t i = 0;
      for (std::int64_t s : list) {
        if (it != by_op[v].end()) {
          const auto& rs = it->second;
          while (i < rs.size() && rs[i]->seq < s) ++i;
          if (i < rs.size()) {
            f.latencies_ms.push_back(
                static_cast<double>(rs[i]->received_us -
                                    events[static_cast<std::size_t>(s)].produced_us) /
                1000.0);
            continue;
          }
        }
        ++f.undelivered;
      }
    }
  }
  std::sort(f.latencies_ms.begin(), f.latencies_ms.end());
  return f;
}

namespace {
double status_kib(std::string_view key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(key.size())) / 1024.0;
  }
  return 0;
}
}  // namespace

double peak_rss_mib() {
  return status_kib("VmHWM:");
}
double current_rss_mib() {
  return status_kib("VmRSS:");
}

}  // namespace opsync::bench
