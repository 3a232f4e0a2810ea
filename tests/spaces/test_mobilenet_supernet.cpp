// The mobilenet space's ProxylessNAS supernet: one mixed edge per searchable block with the
// block's choices in decision order, and for single paths (sampled, all-zero, all-largest, the
// released ProxylessNAS-Mobile) the sub-network the supernet holds has exactly the parameters and
// MACs of the space's own to_graph of the same candidate (an independent lowering).
#include <doctest/doctest.h>

#include <string>

#include "core/rng.hpp"
#include "spaces/mobilenet_space.hpp"

using namespace tandem;

namespace {

struct Counts {
  std::int64_t params = 0;
  std::int64_t macs = 0;
};

// The skeleton (its placeholders are identity / zero layers: no parameters, no MACs) plus the
// chosen candidate of every edge.
Counts single_path_counts(const SupernetDescription& d, const Candidate& candidate) {
  Counts counts{d.skeleton.total_params(), d.skeleton.total_macs()};
  for (const MixedEdge& edge : d.edges) {
    const int choice = candidate.decisions[static_cast<std::size_t>(edge.decision)];
    const ComputeGraph& g = edge.candidates[static_cast<std::size_t>(choice)].graph;
    counts.params += g.total_params();
    counts.macs += g.total_macs();
  }
  return counts;
}

void check_matches_space(const MobileNetSpace& space, const GraphOptions& options,
                         const Candidate& candidate) {
  const SupernetDescription d = space.supernet(options);
  const ComputeGraph net = space.to_graph(candidate, options);
  const Counts counts = single_path_counts(d, candidate);
  INFO("candidate " << space.to_string(candidate));
  CHECK(counts.params == net.total_params());
  CHECK(counts.macs == net.total_macs());
}

}  // namespace

TEST_CASE("mobilenet supernet: one edge per block, choices in decision order") {
  MobileNetSpace space;
  const SupernetDescription d = space.supernet(MobileNetSpace::published_defaults());
  REQUIRE(d.edges.size() == 21);
  for (std::size_t e = 0; e < d.edges.size(); ++e) {
    const MixedEdge& edge = d.edges[e];
    CHECK(edge.decision == static_cast<int>(e));
    CHECK(edge.alpha_key == "block" + std::to_string(e));
    CHECK(edge.choice_of_candidate.empty());
    const auto& choices = space.decisions()[e].choices;
    REQUIRE(edge.candidates.size() == choices.size());
    for (std::size_t k = 0; k < choices.size(); ++k) CHECK(edge.candidates[k].name == choices[k]);
    const Layer& placeholder = d.skeleton.layer(edge.placeholder);
    // blocks with a zero choice keep their shape and sum with the identity shortcut
    const bool has_zero = choices.back() == "zero";
    CHECK(placeholder.kind == (has_zero ? OpKind::identity : OpKind::zero));
    // ... the block's output is add(placeholder, block input); a stage's first block has none
    bool summed = false;
    for (LayerId consumer : d.skeleton.consumers(edge.placeholder)) {
      const Layer& layer = d.skeleton.layer(consumer);
      summed = summed || (layer.kind == OpKind::add && layer.inputs[0] == edge.placeholder &&
                          layer.inputs[1] == placeholder.inputs[0]);
    }
    CHECK(summed == has_zero);
  }
  // ImageNet 224: stage 1 runs at 56x56 with 24 channels, stage 6 at 7x7 with 320
  CHECK(d.skeleton.layer(d.edges[0].placeholder).output == TensorShape{24, 56, 56});
  CHECK(d.skeleton.layer(d.edges[20].placeholder).output == TensorShape{320, 7, 7});
}

TEST_CASE("mobilenet supernet: every single path has the space network's params and MACs") {
  MobileNetSpace space;
  const GraphOptions imagenet = MobileNetSpace::published_defaults();  // 3x224x224, 1000
  Rng rng(4);
  for (int i = 0; i < 5; ++i) check_matches_space(space, imagenet, space.sample(rng));
  Candidate largest, smallest;
  for (const Decision& decision : space.decisions()) {
    largest.decisions.push_back(5);  // 7x7_MBConv6
    smallest.decisions.push_back(static_cast<int>(decision.choices.size()) - 1);  // zero / 7x7_MBConv6
  }
  check_matches_space(space, imagenet, largest);
  check_matches_space(space, imagenet, smallest);
  // small inputs and a width multiplier, as the CI searches use
  GraphOptions small;
  small.input = TensorShape{1, 8, 8};
  small.classes = 10;
  small.width_multiplier = 0.25;
  for (int i = 0; i < 5; ++i) check_matches_space(space, small, space.sample(rng));
  // the released ProxylessNAS-Mobile (stage widths 32, 40, 80, 96, 192, 320)
  MobileNetSpace mobile({32, 40, 80, 96, 192, 320});
  check_matches_space(mobile, imagenet,
                      mobile.parse("5x5_MBConv3|3x3_MBConv3|zero|zero|"
                                   "7x7_MBConv3|3x3_MBConv3|5x5_MBConv3|5x5_MBConv3|"
                                   "7x7_MBConv6|5x5_MBConv3|5x5_MBConv3|5x5_MBConv3|"
                                   "5x5_MBConv6|5x5_MBConv3|5x5_MBConv3|5x5_MBConv3|"
                                   "7x7_MBConv6|7x7_MBConv6|7x7_MBConv3|7x7_MBConv3|"
                                   "7x7_MBConv6"));
}
