// Tensor storage and shape helpers (see tensor.hpp).
#include "trainers/tensor.hpp"

#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <vector>

#include "core/error.hpp"

namespace tandem {

namespace {

// A small caching allocator for large blocks: a training step allocates and frees the same
// activation sizes every iteration, and returning them to the OS each time costs page faults
// (the kernel zeroes every fresh page). Freed blocks of >= 64 KiB are kept per exact rounded
// size, up to a cap, and reused; smaller ones go straight to operator new/delete.
class BlockCache {
 public:
  static constexpr std::size_t min_cached = 64 * 1024;
  static constexpr std::size_t cap = std::size_t(1) << 30;  // 1 GiB of idle blocks at most

  void* get(std::size_t bytes) {
    if (bytes >= min_cached) {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(bytes);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        idle_ -= bytes;
        return p;
      }
    }
    return ::operator new(bytes, std::align_val_t(64));
  }
  void put(void* p, std::size_t bytes) {
    if (bytes >= min_cached) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (idle_ + bytes <= cap) {
        free_[bytes].push_back(p);
        idle_ += bytes;
        return;
      }
    }
    ::operator delete(p, std::align_val_t(64));
  }

 private:
  std::mutex mutex_;
  std::map<std::size_t, std::vector<void*>> free_;
  std::size_t idle_ = 0;
};

BlockCache& block_cache() {
  static BlockCache* cache = new BlockCache;  // never destroyed: tensors may outlive statics
  return *cache;
}

std::shared_ptr<float> allocate(std::int64_t count) {
  const std::size_t bytes = static_cast<std::size_t>(std::max<std::int64_t>(count, 1)) * 4;
  const std::size_t granule = bytes >= BlockCache::min_cached ? 4096 : 64;
  const std::size_t rounded = (bytes + granule - 1) / granule * granule;
  auto* raw = static_cast<float*>(block_cache().get(rounded));
  return std::shared_ptr<float>(raw, [rounded](float* p) { block_cache().put(p, rounded); });
}

}  // namespace

std::int64_t shape_elements(const Shape& shape) {
  std::int64_t n = 1;
  for (auto d : shape) {
    TANDEM_CHECK(d >= 0, "tensor shape " + shape_to_string(shape) + " has a negative size");
    n *= d;
  }
  return n;
}

std::string shape_to_string(const Shape& shape) {
  if (shape.empty()) return "scalar";
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) text += "x";
    text += std::to_string(shape[i]);
  }
  return text;
}

Tensor Tensor::empty(Shape shape) {
  Tensor t;
  t.numel_ = shape_elements(shape);
  t.shape_ = std::move(shape);
  t.storage_ = allocate(t.numel_);
  return t;
}

Tensor::Tensor(Shape shape) : Tensor(empty(std::move(shape))) {
  std::memset(data(), 0, static_cast<std::size_t>(numel_) * sizeof(float));
}

Tensor::Tensor(Shape shape, const float* source) : Tensor(empty(std::move(shape))) {
  TANDEM_CHECK(source != nullptr || numel_ == 0, "Tensor: null data for shape " +
                                                     shape_to_string(shape_));
  if (numel_) std::memcpy(data(), source, static_cast<std::size_t>(numel_) * sizeof(float));
}

Tensor::Tensor(Shape shape, const std::vector<float>& values) : Tensor(empty(std::move(shape))) {
  TANDEM_CHECK(static_cast<std::int64_t>(values.size()) == numel_,
               "Tensor: " + std::to_string(values.size()) + " values for shape " +
                   shape_to_string(shape_) + " (" + std::to_string(numel_) + " elements)");
  if (numel_) std::memcpy(data(), values.data(), values.size() * sizeof(float));
}

Tensor Tensor::full(Shape shape, float value) {
  Tensor t = empty(std::move(shape));
  t.fill(value);
  return t;
}

std::int64_t Tensor::size(int axis) const {
  const int d = dim();
  if (axis < 0) axis += d;
  TANDEM_CHECK(axis >= 0 && axis < d, "tensor of shape " + shape_to_string(shape_) +
                                          " has no axis " + std::to_string(axis));
  return shape_[static_cast<std::size_t>(axis)];
}

float Tensor::item() const {
  TANDEM_CHECK(numel_ == 1, "item() of a tensor with shape " + shape_to_string(shape_));
  return data()[0];
}

Tensor Tensor::clone() const {
  if (!defined()) return {};
  return Tensor(shape_, data());
}

Tensor Tensor::reshape(Shape shape) const {
  TANDEM_CHECK(shape_elements(shape) == numel_, "cannot reshape " + shape_to_string(shape_) +
                                                    " to " + shape_to_string(shape));
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

void Tensor::fill(float value) {
  float* p = data();
  for (std::int64_t i = 0; i < numel_; ++i) p[i] = value;
}

void Tensor::copy_from(const Tensor& other) {
  TANDEM_CHECK(other.numel_ == numel_, "copy of " + shape_to_string(other.shape_) + " into " +
                                           shape_to_string(shape_));
  if (numel_ && other.data() != data())
    std::memcpy(data(), other.data(), static_cast<std::size_t>(numel_) * sizeof(float));
}

}  // namespace tandem
