// A double-precision reference interpreter of a ComputeGraph built on reference.hpp, reading the
// parameters by the names the engine gives them ("<prefix><layer>.weight" ...). Batch norm uses
// batch statistics (training mode); dropout must be off. Used to finite-difference whole networks
// and supernets.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "core/compute_graph.hpp"
#include "tests/trainers/reference.hpp"
#include "trainers/parameters.hpp"

namespace tandem::reference {

using Params = std::map<std::string, Array>;
using GraphHook = std::function<Array(LayerId, const Array&)>;

inline Params to_double(ParameterSet& set) {
  Params p;
  for (Parameter* q : set.all()) p[q->name] = from_tensor(q->value);
  return p;
}

inline Array run_graph(const ComputeGraph& g, const Array& input, const Params& p,
                       const std::string& prefix = "", const GraphHook& hook = {},
                       const std::vector<LayerId>& hooked = {}) {
  std::vector<Array> v(g.size());
  auto param = [&](const std::string& name) -> const Array* {
    auto it = p.find(prefix + name);
    return it == p.end() ? nullptr : &it->second;
  };
  for (LayerId id : g.topological_order()) {
    const Layer& l = g.layer(id);
    const auto& a = l.attributes;
    auto in = [&](std::size_t k = 0) -> const Array& { return v[l.inputs[k]]; };
    if (std::find(hooked.begin(), hooked.end(), id) != hooked.end()) {
      v[id] = hook(id, in());
      continue;
    }
    switch (l.kind) {
      case OpKind::input:
        v[id] = input;
        break;
      case OpKind::conv2d:
        v[id] = conv2d(in(), *param(l.name + ".weight"), param(l.name + ".bias"), a.stride,
                       a.padding, a.dilation, a.groups);
        break;
      case OpKind::linear:
        v[id] = linear(in(), *param(l.name + ".weight"), param(l.name + ".bias"));
        break;
      case OpKind::batch_norm:
        v[id] = batch_norm(in(), param(l.name + ".weight"), param(l.name + ".bias"), nullptr,
                           nullptr, 1e-5);
        break;
      case OpKind::relu:
        v[id] = map(in(), relu_f);
        break;
      case OpKind::relu6:
        v[id] = map(in(), relu6_f);
        break;
      case OpKind::max_pool:
      case OpKind::avg_pool:
        v[id] = pool(in(), a.kernel_h, a.stride, a.padding, l.kind == OpKind::max_pool,
                     a.count_include_pad, a.ceil_mode);
        break;
      case OpKind::global_avg_pool:
        v[id] = global_avg_pool(in());
        break;
      case OpKind::add: {
        Array s = in();
        for (std::size_t k = 1; k < l.inputs.size(); ++k)
          for (std::size_t i = 0; i < s.v.size(); ++i) s.v[i] += in(k).v[i];
        v[id] = s;
        break;
      }
      case OpKind::concat: {
        std::vector<const Array*> xs;
        for (std::size_t k = 0; k < l.inputs.size(); ++k) xs.push_back(&in(k));
        v[id] = concat(xs);
        break;
      }
      case OpKind::zero: {
        const auto& x = in();
        v[id] = make({x.size(0), a.out_channels > 0 ? a.out_channels : x.size(1),
                      (x.size(2) - 1) / a.stride + 1, (x.size(3) - 1) / a.stride + 1});
        break;
      }
      case OpKind::identity:
      case OpKind::dropout:
        v[id] = in();
        break;
      case OpKind::channel_slice:
        v[id] = slice(in(), a.slice_begin, a.slice_end);
        break;
      case OpKind::channel_shuffle:
        v[id] = shuffle(in(), a.groups);
        break;
    }
  }
  return g.outputs().empty() ? v.back() : v[g.outputs().front()];
}

}  // namespace tandem::reference
