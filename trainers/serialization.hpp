// Internal to trainers/: little-endian byte writer/reader for checkpoints and optimizer state.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "core/error.hpp"
#include "trainers/tensor.hpp"

namespace tandem::serial {

class Writer {
 public:
  void u64(std::uint64_t v) { raw(&v, sizeof v); }
  void i64(std::int64_t v) { raw(&v, sizeof v); }
  void f64(double v) { raw(&v, sizeof v); }
  void text(const std::string& s) {
    u64(s.size());
    bytes_.append(s);
  }
  void tensor(const Tensor& t) {
    u64(t.shape().size());
    for (auto d : t.shape()) i64(d);
    if (t.numel()) raw(t.data(), static_cast<std::size_t>(t.numel()) * sizeof(float));
  }
  const std::string& bytes() const { return bytes_; }

 private:
  void raw(const void* p, std::size_t n) { bytes_.append(static_cast<const char*>(p), n); }
  std::string bytes_;
};

class Reader {
 public:
  Reader(const std::string& bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}
  std::uint64_t u64() { return pod<std::uint64_t>(); }
  std::int64_t i64() { return pod<std::int64_t>(); }
  double f64() { return pod<double>(); }
  std::string text() {
    const std::uint64_t n = u64();
    need(n);
    std::string s = bytes_.substr(offset_, n);
    offset_ += n;
    return s;
  }
  Tensor tensor() {
    const std::uint64_t dims = u64();
    TANDEM_CHECK(dims <= 8, what_ + ": corrupt tensor header");
    Shape shape;
    for (std::uint64_t i = 0; i < dims; ++i) shape.push_back(i64());
    Tensor t = Tensor::empty(shape);
    const std::size_t n = static_cast<std::size_t>(t.numel()) * sizeof(float);
    need(n);
    if (n) std::memcpy(t.data(), bytes_.data() + offset_, n);
    offset_ += n;
    return t;
  }
  bool done() const { return offset_ == bytes_.size(); }

 private:
  template <class T>
  T pod() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, bytes_.data() + offset_, sizeof(T));
    offset_ += sizeof(T);
    return v;
  }
  void need(std::size_t n) const {
    TANDEM_CHECK(offset_ + n <= bytes_.size(), what_ + ": truncated data");
  }
  const std::string& bytes_;
  std::string what_;
  std::size_t offset_ = 0;
};

}  // namespace tandem::serial
