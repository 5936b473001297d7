// Updating a child the caller already holds, and finding an existing child by label values, must
// not allocate: the counters sit on the event loop's hot path. A replaced global operator new
// counts allocations while a test enables it.

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "metrics/registry.h"

namespace {
int g_allocations = 0;
bool g_counting = false;
}  // namespace

void* operator new(std::size_t size) {
  if (g_counting) ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace opsync::metrics {
namespace {

class AllocationCount {
 public:
  AllocationCount() {
    g_allocations = 0;
    g_counting = true;
  }
  ~AllocationCount() { g_counting = false; }
  int count() const { return g_allocations; }
};

TEST(Allocation, UpdatesAndLookupsOfExistingChildrenDoNotAllocate) {
  Registry registry;
  auto& pushes = registry.counter("opsync_pushes_total", "p", {"connector", "outcome"});
  auto& latency = registry.histogram("opsync_push_duration_seconds", "l", latency_buckets_seconds(),
                                     {"connector"});
  auto& backlog = registry.gauge("g", "g", {"connector"});
  Counter& ok = pushes.with({"glia", "ok"});
  Histogram& glia = latency.with({"glia"});
  backlog.with({"glia"});

  AllocationCount allocations;
  ok.inc();
  glia.observe(0.2);
  Counter& again = pushes.with({"glia", "ok"});
  again.inc();
  backlog.with({"glia"}).set(3);
  const int count = allocations.count();
  EXPECT_EQ(count, 0);
  EXPECT_EQ(ok.value(), 2);
}

TEST(Allocation, TheCounterReallyCounts) {
  AllocationCount allocations;
  auto* p = new int(1);
  const int count = allocations.count();
  delete p;
  EXPECT_EQ(count, 1);
}

}  // namespace
}  // namespace opsync::metrics
