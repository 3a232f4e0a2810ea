// Seeded random numbers with portable distributions: the same seed gives the same sequence on every
// compiler and standard library (std::uniform_int_distribution and friends do not guarantee that).
// Generator: xoshiro256** (Blackman & Vigna 2018), seeded through splitmix64.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tandem {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0);

  // Raw 64 random bits.
  std::uint64_t next_u64();
  // Uniform integer in [0, n); n > 0. Unbiased (Lemire's multiply-and-reject).
  std::uint64_t uniform_index(std::uint64_t n);
  // Uniform integer in [low, high] (inclusive).
  std::int64_t uniform_int(std::int64_t low, std::int64_t high);
  // Uniform double in [0, 1) with 53 random bits.
  double uniform();
  // Standard normal (Box–Muller with the cached second value).
  double normal();
  double normal(double mean, double stddev) { return mean + stddev * normal(); }
  bool bernoulli(double p) { return uniform() < p; }

  template <class T>
  void shuffle(std::vector<T>& values) {  // Fisher–Yates
    for (std::size_t i = values.size(); i > 1; --i) {
      std::size_t j = uniform_index(i);
      std::swap(values[i - 1], values[j]);
    }
  }

  // An independent stream derived from this generator's seed and `stream` (does not advance this).
  Rng derive(std::uint64_t stream) const;

  // Full state as text (for checkpoints and resume checks) and back.
  std::string state() const;
  static Rng from_state(const std::string& text);

  bool operator==(const Rng& other) const = default;

 private:
  std::array<std::uint64_t, 4> s_{};
  std::uint64_t seed_ = 0;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

}  // namespace tandem
