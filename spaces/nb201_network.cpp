// The NB201 TinyNetwork skeleton and its ResNet block (see nb201_network.hpp).
#include "spaces/nb201_network.hpp"

#include "spaces/nn_blocks.hpp"

namespace tandem {

LayerId nb201_resnet_block(ComputeGraph& graph, const std::string& name, LayerId input,
                           int out_channels) {
  LayerId a = relu_conv_bn(graph, name + ".conv_a", input, out_channels, 3, 2, 1);
  LayerId b = relu_conv_bn(graph, name + ".conv_b", a, out_channels, 3, 1, 1);
  LayerId pooled = graph.avg_pool(name + ".shortcut.avg_pool", input, 2, 2, 0);
  LayerId shortcut = graph.conv2d(name + ".shortcut.conv", pooled, out_channels, 1);
  return graph.add_sum(name + ".add", {shortcut, b});
}

void build_nb201_network(ComputeGraph& graph, const GraphOptions& options,
                         const Nb201CellBuilder& cell) {
  const int C = options.width;
  const int N = options.cells_per_stage;
  LayerId x = graph.add_input("input", options.input);
  x = graph.conv2d("stem.conv", x, C, 3, 1, 1);
  x = graph.batch_norm("stem.bn", x);
  int index = 0;
  for (int stage = 0; stage < 3; ++stage) {
    if (stage > 0) {
      x = nb201_resnet_block(graph, "cell" + std::to_string(index), x, C << stage);
      ++index;
    }
    for (int n = 0; n < N; ++n, ++index) x = cell(graph, "cell" + std::to_string(index), x);
  }
  x = graph.batch_norm("lastact.bn", x);
  x = graph.relu("lastact.relu", x);
  x = graph.global_avg_pool("global_pool", x);
  x = graph.linear("classifier", x, options.classes);
  graph.mark_output(x);
}

}  // namespace tandem
