// Tensor: a dense float32 array with a shape (NCHW for images, [N, features] for vectors), the
// value type of the training engine. Copies are SHALLOW (they share storage, like torch.Tensor);
// clone() makes a deep copy. Storage is 64-byte aligned so SIMD kernels can use aligned loads.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace tandem {

using Shape = std::vector<std::int64_t>;

std::int64_t shape_elements(const Shape& shape);
std::string shape_to_string(const Shape& shape);  // "64x3x32x32"

class Tensor {
 public:
  Tensor() = default;
  // Zero-filled tensor of the given shape.
  explicit Tensor(Shape shape);
  // Copies shape_elements(shape) floats from `data`.
  Tensor(Shape shape, const float* data);
  // Takes the values (their count must match the shape).
  Tensor(Shape shape, const std::vector<float>& values);

  // Uninitialised storage (for kernels that overwrite every element).
  static Tensor empty(Shape shape);
  static Tensor zeros(Shape shape) { return Tensor(std::move(shape)); }
  static Tensor full(Shape shape, float value);
  static Tensor scalar(float value) { return full(Shape{}, value); }

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  int dim() const { return static_cast<int>(shape_.size()); }
  std::int64_t size(int axis) const;  // negative axes count from the end
  std::int64_t numel() const { return numel_; }

  float* data() { return storage_.get(); }
  const float* data() const { return storage_.get(); }
  std::span<float> values() { return {data(), static_cast<std::size_t>(numel_)}; }
  std::span<const float> values() const { return {data(), static_cast<std::size_t>(numel_)}; }
  float item() const;  // the only element of a one-element tensor
  std::vector<float> to_vector() const { return {data(), data() + numel_}; }

  // True when both tensors use the same storage.
  bool shares_storage(const Tensor& other) const { return storage_ == other.storage_; }
  Tensor clone() const;
  // Same storage, new shape with the same number of elements.
  Tensor reshape(Shape shape) const;
  void fill(float value);
  void copy_from(const Tensor& other);  // same element count; deep copy into this storage

 private:
  Shape shape_;
  std::int64_t numel_ = 0;
  std::shared_ptr<float> storage_;
};

}  // namespace tandem
