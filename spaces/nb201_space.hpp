// NAS-Bench-201 cell space ("nb201"): 6 edges x 5 ops = 15,625 cells, lowered to the benchmark's
// TinyNetwork (C=16, N=5). The candidate text is the official arch string, e.g.
//   |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|
// Source: Dong & Yang, "NAS-Bench-201: Extending the Scope of Reproducible Neural Architecture
// Search", ICLR 2020; code D-X-Y/AutoDL-Projects, xautodl/models/cell_operations.py,
// xautodl/models/cell_infers/{tiny_network.py,cells.py}, xautodl/models/cell_searchs/genotypes.py.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "spaces/search_space.hpp"

namespace tandem {

class Nb201Space : public SearchSpace {
 public:
  Nb201Space();

  // The ops in AutoDL's order: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3.
  static const std::vector<std::string>& operations();
  // C=16, N=5, CIFAR-10 input 3x32x32 and 10 classes.
  static GraphOptions published_defaults();
  // Registry factory; accepts input_shape, classes, width, cells_per_stage.
  static std::unique_ptr<SearchSpace> create(const ConfigNode& options);

  std::string name() const override { return "nb201"; }
  std::string summary() const override;
  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::string to_string(const Candidate& candidate) const override;
  Candidate parse(const std::string& text) const override;
  using SearchSpace::to_graph;
  // TinyNetwork: stem conv3x3+BN; N cells at C, ResNet block (2C, stride 2), N cells at 2C,
  // ResNet block (4C), N cells at 4C; BN+ReLU, global pool, linear. All convs bias-free, as in
  // the benchmark's evaluated network (AutoDL uses `bias = not affine`: only its affine=False
  // search supernet has conv biases). A `none` edge lowers to a zero layer, so convs reading a
  // zero node still exist and count, as in PyTorch.
  ComputeGraph to_graph(const Candidate& candidate, const GraphOptions& options) const override;
  // AutoDL's DARTS search network (TinyNetworkDarts, spaces/nb201_supernet.cpp): the same macro
  // skeleton, every cell edge a mixed edge over the 5 ops (affine=False BN, conv biases), alpha
  // keys "1<-0" ... "3<-2" shared by all 3N cells, MixedEdge::decision = the edge's decision.
  SupernetDescription supernet(const GraphOptions& options) const override;
  // One diagram "cell": nodes 0..3, the six edges j->i with their ops ("none" included).
  std::vector<CellDiagram> cell_diagrams(const Candidate& candidate) const override;

 private:
  std::vector<Decision> decisions_;
};

}  // namespace tandem
