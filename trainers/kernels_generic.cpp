// The kernel table for the x86-64 baseline (SSE2), the fallback on any CPU; also the runtime
// selection of the best table (see kernels.hpp).
#include "trainers/kernels_prelude.hpp"

#include <Eigen/Core>

#define TANDEM_KERNEL_NAMESPACE generic
#define TANDEM_KERNEL_ISA "generic"
#include "trainers/kernels_impl.inc"

namespace tandem::kernels {
namespace avx512 {
extern const Table table;
}
namespace avx2 {
extern const Table table;
}

namespace {
const Table& select() {
  const char* forced = std::getenv("TANDEM_KERNELS");
  const std::string want = forced ? forced : "";
  __builtin_cpu_init();
  const bool has512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
  const bool has2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (want == "generic") return generic::table;
  if (want == "avx2" && has2) return avx2::table;
  if ((want.empty() || want == "avx512") && has512) return avx512::table;
  if (has2) return avx2::table;
  return generic::table;
}
}  // namespace

const Table& table() {
  static const Table& chosen = select();
  return chosen;
}

}  // namespace tandem::kernels
