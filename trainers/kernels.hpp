// Hot inner kernels of the CPU engine behind one function table that is chosen at run time from
// the CPU's instruction sets. The same source (kernels_impl.inc) is compiled three times — for
// AVX-512, for AVX2+FMA and for the x86-64 baseline — each copy with Eigen renamed into its own
// namespace so the builds never share a symbol (no ODR mixing); the build itself needs no
// -march flag and runs on any x86-64 machine. All kernels are single-threaded; callers split
// the work with parallel_for.
#pragma once

#include <cstdint>

namespace tandem::kernels {

struct Window {  // a 2-D sliding window over one H x W plane
  int height, width;            // input
  int kernel_h, kernel_w;
  int stride, padding, dilation;
  int out_height, out_width;
};

// A "same" convolution (stride 1, output plane as large as the input plane) seen as shifted views
// of the input planes: tap t of output pixel p reads input pixel p + shift[t] when bit (p % 16) of
// masks[(p / 16) * taps + t] is set, and zero otherwise (padding). No padded copy, no im2col.
struct ShiftedTaps {
  std::int64_t plane;            // pixels per plane (input = output)
  std::int64_t width;            // plane width (a 3x3 kernel with dilation 1 has a fast path)
  std::int64_t vectors;          // ceil(plane / 16) rounded up to even
  int taps;
  const std::int64_t* shift;     // [taps]
  const std::uint16_t* masks;    // [vectors * taps]; zero past the plane
};

struct Table {
  const char* isa;
  // Row-major C[m x n] = alpha * op(A) op(B) + beta * C, op = transpose when the flag is set;
  // lda/ldb/ldc are the row strides of A, B, C as stored.
  void (*gemm)(bool transpose_a, bool transpose_b, std::int64_t m, std::int64_t n,
               std::int64_t k, float alpha, const float* a, std::int64_t lda, const float* b,
               std::int64_t ldb, float beta, float* c, std::int64_t ldc);
  // C[m x n] = A[m x k] B[k x n] + beta C, row-major, for few rows m (conv output channels) and
  // many columns n (pixels): the AVX-512 build uses a register-blocked kernel that reads B in
  // place (no packing); the other builds forward to gemm.
  void (*gemm_few_rows)(std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
                        std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
                        std::int64_t ldc);
  // As gemm_few_rows, but row q of B starts at b + b_offsets[q] (an implicit im2col: the rows
  // are shifted views of a padded input). Only the AVX-512 build is fast (has_implicit_conv).
  void (*gemm_few_rows_indirect)(std::int64_t m, std::int64_t n, std::int64_t k, const float* a,
                                 std::int64_t lda, const float* b, const std::int64_t* b_offsets,
                                 float beta, float* c, std::int64_t ldc);
  bool has_implicit_conv;
  // C[m x n] += sum_i A_i[m x k] B_i[n x k]^T over `images` operand pairs (A_i = a + i * a_stride,
  // B_i = b + i * b_stride), row-major, both operands contiguous along k: the weight gradient of a
  // convolution, dW += sum over images of dY cols^T. AVX-512: 4 x 4 blocks of dot products whose
  // vector accumulators run over every image before one horizontal sum (short planes pay no
  // reduction per image); other builds call gemm per image.
  void (*gemm_dot_accumulate)(std::int64_t m, std::int64_t n, std::int64_t k, int images,
                              const float* a, std::int64_t lda, std::int64_t a_stride,
                              const float* b, std::int64_t ldb, std::int64_t b_stride, float* c,
                              std::int64_t ldc);
  // Shifted-view convolution of one image (AVX-512: 8 rows x 32 pixels register blocks):
  //   out[r][p] = beta * out[r][p] + gate(r, p) * sum_{t, c} weight[(t * channels + c) * rows + r]
  //                                                          * x[c][p + shift[t]]
  // gate(r, p) = 1 when relu_gate is null, else (relu_gate[r * plane + p] > 0): the input
  // gradient of a fused ReLU -> conv.
  void (*shifted_conv)(const float* x, int channels, const ShiftedTaps& taps, const float* weight,
                       int rows, const float* relu_gate, float beta, float* out);
  // Weight gradient of the shifted-view convolution over `images` images:
  //   dw[(r * channels + c) * taps + t] += sum_n sum_p dy[n][r][p] * x[n][c][p + shift[t]]
  // with image n at x + n * x_stride and dy + n * dy_stride. AVX-512: 3 rows x 9 (channel, tap)
  // columns of vector accumulators that run over all images before one horizontal sum.
  void (*shifted_conv_weight_grad)(const float* x, std::int64_t x_stride, int channels,
                                   const ShiftedTaps& taps, const float* dy,
                                   std::int64_t dy_stride, int rows, int images, float* dw);
  bool has_shifted_conv;  // the shifted-view kernels are the fast path (AVX-512 builds)
  // 2x2 stride-2 max pooling of one plane of the given width into out_height x out_width
  // (2 * out_height <= height, 2 * out_width <= width): y = the window maximum, index = the flat
  // input index of its first maximum in window order (a NaN wins, as in PyTorch).
  void (*max_pool_2x2)(const float* x, int width, int out_height, int out_width, float* y,
                       std::int32_t* index);
  // cols[(c * kh + i) * kw + j][oh * Wo + ow] = x[c][ih][iw] (0 outside), channels planes.
  // cols needs 16 floats of slack past its end (rows may be written with whole vectors).
  void (*im2col)(const float* x, int channels, const Window& w, float* cols);
  // dx[c][ih][iw] += cols[...] (the adjoint of im2col). May overwrite padding entries of cols
  // with zeros (cols is the caller's scratch).
  void (*col2im)(const float* cols, int channels, const Window& w, float* dx);
  // One channel of a depthwise convolution: y = w * x (y overwritten).
  void (*depthwise_forward)(const float* x, const float* weight, const Window& w, float* y);
  // dx += w^T * dy ; dweight[kh*kw] += correlation of dy with x.
  void (*depthwise_backward_input)(const float* dy, const float* weight, const Window& w,
                                   float* dx);
  void (*depthwise_backward_weight)(const float* dy, const float* x, const Window& w,
                                    float* dweight);

  // Element-wise and reduction loops over n floats (pointers must not alias unless equal).
  void (*relu_forward)(const float* x, float* y, std::int64_t n);
  // dx += (or = when overwrite) the masked dy
  void (*relu_backward)(const float* x, const float* dy, float* dx, std::int64_t n, bool overwrite);
  void (*relu6_forward)(const float* x, float* y, std::int64_t n);
  void (*relu6_backward)(const float* x, const float* dy, float* dx, std::int64_t n,
                         bool overwrite);
  void (*add)(const float* a, const float* b, float* y, std::int64_t n);  // y = a + b
  void (*axpy)(float alpha, const float* x, float* y, std::int64_t n);    // y += alpha x
  void (*scale)(float alpha, const float* x, float* y, std::int64_t n);   // y = alpha x
  void (*affine)(const float* x, float scale, float shift, float* y, std::int64_t n);
  float (*sum)(const float* x, std::int64_t n);
  float (*dot)(const float* a, const float* b, std::int64_t n);
  float (*squared_deviation)(const float* x, float mean, std::int64_t n);  // sum (x - mean)^2
  // sum(dy) and sum(dy * (x - mean)) added to the outputs
  void (*norm_backward_sums)(const float* x, const float* dy, float mean, std::int64_t n,
                             float* sum_dy, float* sum_dy_xmu);
  // SGD with momentum buffer buf (PyTorch rule; first: buf = d):
  // d = g + wd w; buf = mu buf + damp d; w -= lr (nesterov ? d + mu buf : buf)
  void (*sgd_momentum)(float* w, const float* g, float* buf, std::int64_t n, float lr, float wd,
                       float mu, float damp, bool nesterov, bool first);
  // dx += (or = when overwrite) (dy - dy_mean - (x - mean) * k) * ws
  void (*norm_backward_input)(const float* x, const float* dy, float mean, float k,
                              float dy_mean, float ws, float* dx, std::int64_t n, bool overwrite);
};

// The best table this CPU supports (TANDEM_KERNELS=generic|avx2|avx512 forces one).
const Table& table();

// Shorthands.
inline void gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
                 const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta,
                 float* c, std::int64_t ldc) {
  table().gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace tandem::kernels
