// The CPU training engine in one include: tensors, autograd, the op table, networks built from a
// ComputeGraph, supernets, optimizers, schedules, clipping and checkpoints.
//
// Usage (one SGD step on a graph from any space):
//
//   #include "trainers/engine.hpp"
//   using namespace tandem;
//
//   ComputeGraph graph = space.to_graph(candidate);
//   Network net(graph, {.seed = 1, .threads = 2});            // PyTorch default init
//   Sgd sgd(net.weights(), {.learning_rate = 0.1, .momentum = 0.9, .weight_decay = 5e-4,
//                           .nesterov = true});
//   CosineSchedule cosine(0.1, total_steps);
//
//   Tensor images({batch, 3, 32, 32}, pixels);                 // copies the float buffer
//   std::vector<int> labels = ...;                              // one class per image
//   sgd.set_learning_rate(cosine.learning_rate(step));
//   sgd.zero_grad();
//   Variable logits = net.forward(images, /*training=*/true);   // [batch, classes]
//   Variable loss = cross_entropy(logits, labels, /*label_smoothing=*/0.0);
//   backward(loss);
//   clip_grad_norm(net.weights(), 5.0);
//   sgd.step();
//   float value = loss.value().item();
//
//   Tensor eval_logits = net.predict(images);                  // no tape, eval-mode BN
//   std::string bytes = save_checkpoint({&net.parameters(), {&sgd}, {&net.rng()}});
//
// Supernets (DARTS-style, architecture parameters apart from weights):
//   Supernet supernet(description, {.seed = 2, .threads = 2});
//   Sgd w_opt(supernet.weights(), {...});  Adam a_opt(supernet.architecture(), {...});
//   supernet.set_mode(SupernetMode::weighted_sum);
//   backward(cross_entropy(supernet.forward(valid_images, true), valid_labels));
//   a_opt.step();
#pragma once

#include "trainers/autograd.hpp"
#include "trainers/checkpoint.hpp"
#include "trainers/init.hpp"
#include "trainers/network.hpp"
#include "trainers/op_table.hpp"
#include "trainers/optimizer.hpp"
#include "trainers/parameters.hpp"
#include "trainers/schedule.hpp"
#include "trainers/supernet.hpp"
#include "trainers/tensor.hpp"
#include "trainers/threading.hpp"
