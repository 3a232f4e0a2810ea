// The kernel table compiled for AVX2 + FMA; chosen at run time only on CPUs that support it.
// Eigen is renamed to tandem_eigen_avx2 so no symbol is shared with other builds (kernels.hpp).
#include "trainers/kernels_prelude.hpp"

// clang (the sanitizer and fuzzing builds) ignores GCC's target pragma; its own attribute pragma
// gives every function defined below the same instruction set (popped at the end of the file).
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,popcnt,sse4.2"))), apply_to = function)
#else
#pragma GCC target("avx2,fma,f16c,popcnt,sse4.2")
#endif
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#define __SSE3__ 1
#define __SSSE3__ 1
#define __SSE4_1__ 1
#define __SSE4_2__ 1
#define __AVX__ 1
#define __AVX2__ 1
#define __FMA__ 1
#define __F16C__ 1
#define Eigen tandem_eigen_avx2
#include <Eigen/Core>

#define TANDEM_KERNEL_NAMESPACE avx2
#define TANDEM_KERNEL_ISA "avx2"
#include "trainers/kernels_impl.inc"

#if defined(__clang__)
#pragma clang attribute pop
#endif
