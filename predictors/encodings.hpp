// Architecture encodings for learned predictors (NASLib's encodings, White et al. 2020
// "A Study on Encodings for Neural Architecture Search"):
//   one_hot    the space's concatenated one-hot blocks, one per decision (every space);
//   adjacency  for cell spaces (nb201, darts): the cell's DAG as a flattened adjacency/op matrix
//              (NASLib `adjacency_one_hot`);
//   path       for cell spaces: one feature per input→output path labelled by its op sequence
//              (BANANAS path encoding; nb201 has 5 + 5^2 + 5^3 = 155 paths).
// A joint space (`net @ acc`) encodes its network part with the chosen encoding and appends the
// one-hot blocks of its accelerator part. Asking for adjacency or path on a space without a cell
// DAG throws ConfigError naming the space and the encodings it accepts.
#pragma once

#include <string>
#include <vector>

#include "core/trial.hpp"
#include "spaces/search_space.hpp"

namespace tandem {

enum class EncodingKind { one_hot, adjacency, path };

// "one_hot" | "adjacency" | "path"; anything else throws ConfigError listing those.
EncodingKind parse_encoding_kind(const std::string& text);
// As parse_encoding_kind, plus "auto": the path encoding where `space` has one (a cell DAG),
// else one_hot (the default of bananas, predictor_evolution and the predictor evaluator).
EncodingKind resolve_encoding_kind(const SearchSpace& space, const std::string& text);
std::string to_string(EncodingKind kind);

class ArchitectureEncoder {
 public:
  ArchitectureEncoder(const SearchSpace& space, EncodingKind kind);
  std::size_t size() const;
  std::vector<double> encode(const Candidate& candidate) const;
  EncodingKind kind() const;

 private:
  const SearchSpace& space_;
  EncodingKind kind_;
  std::size_t size_ = 0;
};

}  // namespace tandem
