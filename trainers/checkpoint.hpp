// Checkpoints: a model's parameters and buffers, optionally an optimizer's state and RNG states,
// as one byte string (or file). Loading checks every name and shape and raises tandem::Error on
// any mismatch (naming the first one), so a checkpoint never half-loads silently.
// Format (little-endian): "TNDMCKPT" u32 version, then named sections.
#pragma once

#include <string>
#include <vector>

#include "core/rng.hpp"
#include "trainers/optimizer.hpp"
#include "trainers/parameters.hpp"

namespace tandem {

struct CheckpointParts {
  ParameterSet* model = nullptr;          // required
  std::vector<Optimizer*> optimizers;     // optional (e.g. weights and architecture)
  std::vector<Rng*> rngs;                 // optional (data order, dropout, sampling)
};

std::string save_checkpoint(const CheckpointParts& parts);
void load_checkpoint(const std::string& bytes, const CheckpointParts& parts);
void save_checkpoint_file(const std::string& path, const CheckpointParts& parts);
void load_checkpoint_file(const std::string& path, const CheckpointParts& parts);

}  // namespace tandem
