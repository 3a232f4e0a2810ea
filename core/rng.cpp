// Seeded portable RNG (see rng.hpp).
#include "core/rng.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "core/error.hpp"

namespace tandem {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed) : seed_(seed) {
  std::uint64_t x = seed;
  for (auto& word : s_) word = splitmix64(x);
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::uniform_index(std::uint64_t n) {
  TANDEM_ASSERT(n > 0);
  // Lemire (2019), "Fast random integer generation in an interval".
  unsigned __int128 m = static_cast<unsigned __int128>(next_u64()) * n;
  std::uint64_t low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<unsigned __int128>(next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

std::int64_t Rng::uniform_int(std::int64_t low, std::int64_t high) {
  TANDEM_ASSERT(low <= high);
  const std::uint64_t span = static_cast<std::uint64_t>(high - low) + 1;
  if (span == 0) return static_cast<std::int64_t>(next_u64());  // the full 64-bit range
  return low + static_cast<std::int64_t>(uniform_index(span));
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  double u1 = 0.0;
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  const double angle = 2.0 * M_PI * u2;
  spare_normal_ = radius * std::sin(angle);
  has_spare_normal_ = true;
  return radius * std::cos(angle);
}

Rng Rng::derive(std::uint64_t stream) const {
  std::uint64_t x = seed_ ^ (0xd1b54a32d192ed03ULL * (stream + 1));
  return Rng(splitmix64(x));
}

std::string Rng::state() const {
  char buffer[160];
  std::snprintf(buffer, sizeof buffer, "%016llx %016llx %016llx %016llx %016llx %d %a",
                static_cast<unsigned long long>(s_[0]), static_cast<unsigned long long>(s_[1]),
                static_cast<unsigned long long>(s_[2]), static_cast<unsigned long long>(s_[3]),
                static_cast<unsigned long long>(seed_), has_spare_normal_ ? 1 : 0,
                spare_normal_);
  return buffer;
}

Rng Rng::from_state(const std::string& text) {
  std::istringstream in(text);
  Rng rng;
  std::string spare;
  int has_spare = 0;
  in >> std::hex >> rng.s_[0] >> rng.s_[1] >> rng.s_[2] >> rng.s_[3] >> rng.seed_ >> std::dec >>
      has_spare >> spare;
  TANDEM_CHECK(!in.fail(), "malformed random-generator state '" + text + "'");
  rng.has_spare_normal_ = has_spare != 0;
  rng.spare_normal_ = std::strtod(spare.c_str(), nullptr);
  return rng;
}

}  // namespace tandem
