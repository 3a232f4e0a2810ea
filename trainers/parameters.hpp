// Parameters and buffers of a trainable model. Weights (conv/linear/BN affine) and architecture
// parameters (supernet alpha/beta) are kept apart by ParameterRole, so a DARTS-style search can
// give each its own optimizer. Buffers (BN running statistics) are state that is saved and
// loaded but never optimised.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "trainers/tensor.hpp"

namespace tandem {

enum class ParameterRole { weight, architecture };

struct Parameter {
  std::string name;  // "<layer name>.weight", "<layer name>.bias", "alpha/<key>", ...
  Tensor value;
  Tensor grad;  // same shape as value; accumulated by backward(), cleared by zero_grad()
  ParameterRole role = ParameterRole::weight;
};

struct Buffer {
  std::string name;  // "<layer name>.running_mean", ...
  Tensor value;
};

// Owns parameters and buffers; pointers stay valid for the set's lifetime.
class ParameterSet {
 public:
  Parameter& add(std::string name, Tensor value, ParameterRole role = ParameterRole::weight);
  Buffer& add_buffer(std::string name, Tensor value);

  std::vector<Parameter*> all();
  std::vector<Parameter*> weights();       // role == weight
  std::vector<Parameter*> architecture();  // role == architecture
  std::vector<Buffer*> buffers();
  Parameter* find(const std::string& name);  // nullptr when absent
  Buffer* find_buffer(const std::string& name);
  std::size_t size() const { return parameters_.size(); }
  std::int64_t count_elements(ParameterRole role) const;

  void zero_grad();  // every parameter's gradient to zero

 private:
  std::deque<Parameter> parameters_;
  std::deque<Buffer> buffers_;
};

}  // namespace tandem
