// The kernel table compiled for AVX-512 (F, DQ, VL, BW) + FMA; chosen at run time only on CPUs
// that support it. Eigen is renamed to tandem_eigen_avx512 so no symbol is shared with the
// baseline build (see kernels.hpp).
#include "trainers/kernels_prelude.hpp"

// clang (the sanitizer and fuzzing builds) ignores GCC's target pragma; its own attribute pragma
// gives every function defined below the same instruction set (popped at the end of the file).
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma,f16c,popcnt,sse4.2"))), apply_to = function)
#else
#pragma GCC target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma,f16c,popcnt,sse4.2")
#endif
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"  // GCC 12 false positive in _mm512_reduce_add_ps
// GCC's target pragma does not define the ISA macros Eigen keys its vectorisation on.
#define __SSE3__ 1
#define __SSSE3__ 1
#define __SSE4_1__ 1
#define __SSE4_2__ 1
#define __AVX__ 1
#define __AVX2__ 1
#define __FMA__ 1
#define __F16C__ 1
#define __AVX512F__ 1
#define __AVX512DQ__ 1
#define __AVX512VL__ 1
#define __AVX512BW__ 1
#define Eigen tandem_eigen_avx512
#include <Eigen/Core>

#include <immintrin.h>
#define TANDEM_KERNEL_AVX512 1
#define TANDEM_KERNEL_NAMESPACE avx512
#define TANDEM_KERNEL_ISA "avx512"
#include "trainers/kernels_impl.inc"

#if defined(__clang__)
#pragma clang attribute pop
#endif
