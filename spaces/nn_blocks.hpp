// Shared network building blocks for the built-in NN spaces (NB201, DARTS, MobileNet): the
// PyTorch modules those papers' code composes, expressed with ComputeGraph builders. Every conv
// here is bias-free and every batch norm affine, as in the published evaluation networks.
#pragma once

#include <string>

#include "core/compute_graph.hpp"

namespace tandem {

// ReLU -> Conv(k, stride, padding, dilation, groups) -> BN  (DARTS / NB201 `ReLUConvBN`).
LayerId relu_conv_bn(ComputeGraph& graph, const std::string& name, LayerId input, int out_channels,
                     int kernel, int stride, int padding, int dilation = 1);

// Conv -> BN -> activation (MobileNet's weight-bn-act `ConvLayer`); relu6 when `relu6`, none
// otherwise.
LayerId conv_bn_act(ComputeGraph& graph, const std::string& name, LayerId input, int out_channels,
                    int kernel, int stride, int groups, bool relu6);

// DARTS `FactorizedReduce(C_in, C_out)`: ReLU, two 1x1 stride-2 convs of C_out/2 channels
// concatenated, BN. The second conv reads the input shifted by one pixel (x[:, :, 1:, 1:]);
// ComputeGraph has no shift op, so both convs read the ReLU output: shapes, parameters and MACs
// are identical for even spatial sizes (which DARTS requires), and the layer named "*.conv_2" is
// the shifted branch. Odd C_out or odd spatial sizes are an Error, as in the PyTorch code.
LayerId factorized_reduce(ComputeGraph& graph, const std::string& name, LayerId input,
                          int out_channels);

// MobileNetV2 inverted residual conv (ProxylessNAS `MBInvertedConvLayer`): [1x1 expand to
// in*expand, BN, ReLU6 unless expand == 1] -> depthwise kxk stride s, padding k/2, BN, ReLU6 ->
// 1x1 project, BN (linear). No shortcut; callers add it.
LayerId mobile_inverted_conv(ComputeGraph& graph, const std::string& name, LayerId input,
                             int out_channels, int kernel, int expand, int stride);

}  // namespace tandem
