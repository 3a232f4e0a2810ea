// Shared network building blocks (see nn_blocks.hpp).
#include "spaces/nn_blocks.hpp"

#include "core/error.hpp"

namespace tandem {

LayerId relu_conv_bn(ComputeGraph& graph, const std::string& name, LayerId input, int out_channels,
                     int kernel, int stride, int padding, int dilation) {
  LayerId x = graph.relu(name + ".relu", input);
  x = graph.conv2d(name + ".conv", x, out_channels, kernel, stride, padding, dilation);
  return graph.batch_norm(name + ".bn", x);
}

LayerId conv_bn_act(ComputeGraph& graph, const std::string& name, LayerId input, int out_channels,
                    int kernel, int stride, int groups, bool relu6) {
  LayerId x =
      graph.conv2d(name + ".conv", input, out_channels, kernel, stride, kernel / 2, 1, groups);
  x = graph.batch_norm(name + ".bn", x);
  return relu6 ? graph.relu6(name + ".relu6", x) : x;
}

LayerId factorized_reduce(ComputeGraph& graph, const std::string& name, LayerId input,
                          int out_channels) {
  const TensorShape in = graph.layer(input).output;
  TANDEM_CHECK(out_channels % 2 == 0, "layer '" + name + "': FactorizedReduce needs an even " +
                                          "number of output channels, got " +
                                          std::to_string(out_channels));
  TANDEM_CHECK(in.height % 2 == 0 && in.width % 2 == 0,
               "layer '" + name + "': FactorizedReduce needs even spatial sizes, got " +
                   in.to_string() + " (choose an input size divisible by 4)");
  LayerId x = graph.relu(name + ".relu", input);
  LayerId a = graph.conv2d(name + ".conv_1", x, out_channels / 2, 1, 2);
  LayerId b = graph.conv2d(name + ".conv_2", x, out_channels / 2, 1, 2);
  LayerId y = graph.concat(name + ".concat", {a, b});
  return graph.batch_norm(name + ".bn", y);
}

LayerId mobile_inverted_conv(ComputeGraph& graph, const std::string& name, LayerId input,
                             int out_channels, int kernel, int expand, int stride) {
  const int in_channels = graph.layer(input).output.channels;
  const int middle = in_channels * expand;
  LayerId x = input;
  if (expand != 1) x = conv_bn_act(graph, name + ".expand", x, middle, 1, 1, 1, true);
  x = conv_bn_act(graph, name + ".depthwise", x, middle, kernel, stride, middle, true);
  return conv_bn_act(graph, name + ".project", x, out_channels, 1, 1, 1, false);
}

}  // namespace tandem
