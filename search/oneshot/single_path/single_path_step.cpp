// The single-path weight step (see single_path_step.hpp).
#include "search/oneshot/single_path/single_path_step.hpp"

#include "trainers/autograd.hpp"

namespace tandem {

double train_current_path(Supernet& net, Optimizer& weights, const BatchStream::Batch& batch,
                          double label_smoothing, double grad_clip) {
  net.zero_grad();
  Variable loss = cross_entropy(net.forward(batch.images, true), batch.labels, label_smoothing);
  const double value = loss.value().item();
  backward(loss);
  if (grad_clip > 0.0) clip_grad_norm(net.weights(), grad_clip);
  weights.step();
  return value;
}

}  // namespace tandem
