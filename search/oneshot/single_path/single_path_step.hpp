// The supernet weight step of the single-path methods, once the caller has put the supernet in
// single-path mode and chosen its path (uniformly as SPOS, megvii-model/SinglePathOneShot
// src/Supernet/train.py; from softmax(α) as ProxylessNAS, mit-han-lab/proxylessnas
// search/nas_manager.py train): label-smoothed cross-entropy of the batch, backward, gradient
// clipping (when grad_clip > 0) and one optimizer step.
#pragma once

#include "search/oneshot/weight_sharing.hpp"
#include "trainers/optimizer.hpp"
#include "trainers/supernet.hpp"

namespace tandem {

// One weight step on the supernet's current path; returns the batch loss.
double train_current_path(Supernet& supernet, Optimizer& weights, const BatchStream::Batch& batch,
                          double label_smoothing, double grad_clip);

}  // namespace tandem
