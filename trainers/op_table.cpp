// The op table (one row per Op: name, arity, forward, backward) and the helpers the op files
// share (see op_table.hpp, ops_internal.hpp).
#include "trainers/op_table.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "trainers/kernels.hpp"
#include "trainers/ops_internal.hpp"

namespace tandem {

namespace {

#define TANDEM_OP_ROW(name, lo, hi) \
  OpDefinition { #name, lo, hi, ops::name##_forward, ops::name##_backward, false }
#define TANDEM_OP_ROW_FRESH(name, lo, hi) \
  OpDefinition { #name, lo, hi, ops::name##_forward, ops::name##_backward, true }

const std::array<OpDefinition, op_count> table = {
    TANDEM_OP_ROW_FRESH(conv2d, 2, 3),          TANDEM_OP_ROW(linear, 2, 3),
    TANDEM_OP_ROW_FRESH(batch_norm, 1, 3),      TANDEM_OP_ROW_FRESH(relu, 1, 1),
    TANDEM_OP_ROW_FRESH(relu6, 1, 1),           TANDEM_OP_ROW(max_pool, 1, 1),
    TANDEM_OP_ROW(avg_pool, 1, 1),        TANDEM_OP_ROW(global_avg_pool, 1, 1),
    TANDEM_OP_ROW_FRESH(add, 1, 1 << 20),       TANDEM_OP_ROW(concat, 1, 1 << 20),
    TANDEM_OP_ROW(channel_slice, 1, 1),   TANDEM_OP_ROW(channel_shuffle, 1, 1),
    TANDEM_OP_ROW_FRESH(scale, 2, 2),           TANDEM_OP_ROW(softmax, 1, 1),
    TANDEM_OP_ROW(log_softmax, 1, 1),     TANDEM_OP_ROW(cross_entropy, 1, 1),
    TANDEM_OP_ROW(kl_divergence, 2, 2),   TANDEM_OP_ROW(mse_loss, 2, 2),
    TANDEM_OP_ROW(dropout, 1, 1),         TANDEM_OP_ROW(zero, 1, 1),
    TANDEM_OP_ROW_FRESH(identity, 1, 1),        TANDEM_OP_ROW(gumbel_softmax, 1, 1),
    TANDEM_OP_ROW(binary_gate, 1, 1),     TANDEM_OP_ROW_FRESH(flatten, 1, 1),
};

#undef TANDEM_OP_ROW
#undef TANDEM_OP_ROW_FRESH

}  // namespace

const OpDefinition& op_definition(Op op) {
  const int index = static_cast<int>(op);
  TANDEM_ASSERT(index >= 0 && index < op_count);
  return table[static_cast<std::size_t>(index)];
}

std::string to_string(Op op) { return op_definition(op).name; }

Tensor run_forward(Op op, const std::vector<Tensor>& inputs, const OpAttributes& attributes) {
  const OpDefinition& def = op_definition(op);
  const int count = static_cast<int>(inputs.size());
  TANDEM_CHECK(count >= def.min_inputs && count <= def.max_inputs,
               std::string(def.name) + ": takes " + std::to_string(def.min_inputs) + ".." +
                   std::to_string(def.max_inputs) + " inputs, got " + std::to_string(count));
  OpContext context;
  context.inputs = inputs;
  context.attributes = &attributes;
  return def.forward(context);
}

namespace ops {

void parallel_chunks(std::int64_t rows, std::int64_t min_rows,
                     const std::function<void(std::int64_t, std::int64_t)>& body) {
  if (rows <= 0) return;
  const std::int64_t threads = std::max(1, current_thread_count());
  const std::int64_t chunks =
      std::max<std::int64_t>(1, std::min(threads, rows / std::max<std::int64_t>(min_rows, 1)));
  if (chunks == 1) {
    body(0, rows);
    return;
  }
  parallel_for(chunks, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t c = begin; c < end; ++c) body(rows * c / chunks, rows * (c + 1) / chunks);
  });
}

void require_nchw(const Tensor& x, const char* what) {
  TANDEM_CHECK(x.dim() == 4, std::string(what) + ": input must be 4-D NCHW, got " +
                                 shape_to_string(x.shape()));
}

void accumulate(float* dst, const float* src, std::int64_t n) {
  kernels::table().axpy(1.0f, src, dst, n);
}

void zero_fresh(const OpContext& context, const std::vector<Tensor*>& grads,
                std::initializer_list<int> inputs) {
  for (int i : inputs) {
    const auto k = static_cast<std::size_t>(i);
    if (k < grads.size() && grads[k] && context.is_fresh(k)) grads[k]->fill(0.0f);
  }
}

float* scratch(std::int64_t n, int slot) {
  thread_local std::array<std::vector<float>, 4> buffers;
  auto& buffer = buffers[static_cast<std::size_t>(slot)];
  if (static_cast<std::int64_t>(buffer.size()) < n) buffer.resize(static_cast<std::size_t>(n));
  return buffer.data();
}

}  // namespace ops

}  // namespace tandem
