// ParameterSet: owner of a model's parameters and buffers (see parameters.hpp).
#include "trainers/parameters.hpp"

#include <cstring>

#include "core/error.hpp"

namespace tandem {

Parameter& ParameterSet::add(std::string name, Tensor value, ParameterRole role) {
  TANDEM_CHECK(find(name) == nullptr, "duplicate parameter name '" + name + "'");
  Parameter& p = parameters_.emplace_back();
  p.name = std::move(name);
  p.value = std::move(value);
  p.role = role;
  return p;
}

Buffer& ParameterSet::add_buffer(std::string name, Tensor value) {
  TANDEM_CHECK(find_buffer(name) == nullptr, "duplicate buffer name '" + name + "'");
  Buffer& b = buffers_.emplace_back();
  b.name = std::move(name);
  b.value = std::move(value);
  return b;
}

std::vector<Parameter*> ParameterSet::all() {
  std::vector<Parameter*> out;
  for (auto& p : parameters_) out.push_back(&p);
  return out;
}

std::vector<Parameter*> ParameterSet::weights() {
  std::vector<Parameter*> out;
  for (auto& p : parameters_)
    if (p.role == ParameterRole::weight) out.push_back(&p);
  return out;
}

std::vector<Parameter*> ParameterSet::architecture() {
  std::vector<Parameter*> out;
  for (auto& p : parameters_)
    if (p.role == ParameterRole::architecture) out.push_back(&p);
  return out;
}

std::vector<Buffer*> ParameterSet::buffers() {
  std::vector<Buffer*> out;
  for (auto& b : buffers_) out.push_back(&b);
  return out;
}

Parameter* ParameterSet::find(const std::string& name) {
  for (auto& p : parameters_)
    if (p.name == name) return &p;
  return nullptr;
}

Buffer* ParameterSet::find_buffer(const std::string& name) {
  for (auto& b : buffers_)
    if (b.name == name) return &b;
  return nullptr;
}

std::int64_t ParameterSet::count_elements(ParameterRole role) const {
  std::int64_t n = 0;
  for (const auto& p : parameters_)
    if (p.role == role) n += p.value.numel();
  return n;
}

void ParameterSet::zero_grad() {
  for (auto& p : parameters_)
    if (p.grad.defined())
      std::memset(p.grad.data(), 0, static_cast<std::size_t>(p.grad.numel()) * sizeof(float));
}

}  // namespace tandem
