// Feeds sample HR events through decode, reconcile and the SQLite store in batched, durable
// (synchronous=FULL) transactions, and prints events per second and peak memory.
//
//   build/release/bench/ingest_bench [--events N] [--operators N] [--batch N] [--sync FULL|NORMAL]

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "events/event_decoder.h"
#include "ingest/ingest_batch.h"
#include "reconcile/reconciler.h"
#include "samples/sample_events.h"
#include "store/state_store.h"

namespace {

long arg(int argc, char** argv, const char* name, long def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::stol(argv[i + 1]);
  }
  return def;
}

std::string sarg(int argc, char** argv, const char* name, const char* def) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return def;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace opsync;
  const auto events = static_cast<std::size_t>(arg(argc, argv, "--events", 1000000));
  const auto operators = static_cast<std::size_t>(arg(argc, argv, "--operators", 100000));
  const auto batch_size = static_cast<std::size_t>(arg(argc, argv, "--batch", 5000));
  const std::string sync = sarg(argc, argv, "--sync", "FULL");
  spdlog::set_level(spdlog::level::err);  // dead-lettered sample events would flood the output

  std::random_device rd;
  const auto dir =
      std::filesystem::temp_directory_path() / ("opsync-bench-" + std::to_string(rd()));
  double seconds = 0;
  IngestCounts totals;
  {
    StoreOptions so;
    so.synchronous = sync;
    StateStore store(dir.string(), so);
    EventDecoder decoder{DecoderLimits{}};
    Reconciler reconciler(store, {});
    IngestBatch ingest(store, decoder, reconciler);

    SampleOptions opts;
    opts.operators = operators;
    opts.invalid_share = 0.001;
    SampleEventStream stream(opts);
    std::vector<ConsumedMessage> batch;
    batch.reserve(batch_size);
    std::size_t offset = 0;
    while (offset < events) {
      batch.clear();
      for (std::size_t i = 0; i < batch_size && offset < events; ++i, ++offset) {
        SampleMessage m = stream.next();
        ConsumedMessage c;
        c.topic = "operators";
        c.partition = static_cast<std::int32_t>(offset % 6);
        c.offset = static_cast<std::int64_t>(offset);
        c.key = std::move(m.key);
        c.has_key = true;
        c.value = std::move(m.value);
        c.headers = std::move(m.headers);
        batch.push_back(std::move(c));
      }
      const auto t0 = std::chrono::steady_clock::now();
      totals += ingest.apply(batch, 0).counts;
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
  }
  std::uintmax_t db_bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) db_bytes += e.file_size();
  std::filesystem::remove_all(dir);

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("ingest_bench: %zu events over %zu operators, batches of %zu, synchronous=%s\n",
              events, operators, batch_size, sync.c_str());
  std::printf("  applied %lld  unchanged %lld  stale %lld  duplicate %lld  invalid %lld\n",
              static_cast<long long>(totals.applied), static_cast<long long>(totals.unchanged),
              static_cast<long long>(totals.stale), static_cast<long long>(totals.duplicate),
              static_cast<long long>(totals.invalid));
  std::printf("  time in decode+reconcile+store: %.2f s\n", seconds);
  std::printf("  events per second: %.0f\n", static_cast<double>(events) / seconds);
  std::printf("  peak resident memory: %.1f MiB\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
  std::printf("  store size: %.1f MiB\n", static_cast<double>(db_bytes) / (1024.0 * 1024.0));
  return 0;
}
