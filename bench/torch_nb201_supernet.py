#!/usr/bin/env python3
"""PyTorch CPU reference for `tandem bench train --workload nb201_supernet`.

The NB201 DARTS search supernet (AutoDL-Projects xautodl/models/cell_searchs/search_model_darts.py
TinyNetworkDarts, search_cells.py NAS201SearchCell, cell_operations.py), written from that
description: C=16, N=5, 3x32x32 inputs, 10 classes; every cell edge sums the 5 ops weighted by
softmax(alpha[edge]) with alpha (6x5) shared by all 15 cells; cell ops are built with affine=False
(ReLU -> Conv(bias=True, AutoDL's `bias = not affine`) -> BN(affine=False)), none = x*0,
avg_pool_3x3 with count_include_pad=False; stem, ResNet reduction blocks and the last BN are affine.

One step = one first-order DARTS search step at batch 64, as search/oneshot/darts/darts.cpp:
  alpha step: zero_grad, forward(valid batch), cross-entropy, backward, Adam(3e-4, (0.5, 0.999), wd 1e-3)
  w step:     zero_grad, forward(train batch), cross-entropy, backward, clip_grad_norm(w, 5),
              SGD(0.025, momentum 0.9, nesterov, wd 5e-4)
Prints `nb201_supernet step_ms images_per_s gflop_per_s` (median step; FLOP = 3 * 2 * MACs of both
forward passes over every candidate op * batch), with the environment of
../shared/bench/torch_ref.py: 2 torch threads, OPENBLAS_CORETYPE=Cooperlake, OPENBLAS_NUM_THREADS=1,
OMP_WAIT_POLICY=PASSIVE. Run with /usr/bin/python3 (Debian python3-torch).
"""
import os
import sys

if "--blas-autodetect" not in sys.argv:
    os.environ.setdefault("OPENBLAS_CORETYPE", "Cooperlake")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]
EDGES = ["1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"]


class ReLUConvBN(nn.Sequential):
    def __init__(self, cin, cout, k, stride, pad, affine):
        super().__init__(nn.ReLU(inplace=False),
                         nn.Conv2d(cin, cout, k, stride, pad, bias=not affine),
                         nn.BatchNorm2d(cout, affine=affine, track_running_stats=True))


class Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


def make_op(name, C):
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(C, C, 1, 1, 0, affine=False)
    if name == "nor_conv_3x3":
        return ReLUConvBN(C, C, 3, 1, 1, affine=False)
    return nn.AvgPool2d(3, 1, 1, count_include_pad=False)


class SearchCell(nn.Module):
    def __init__(self, C):
        super().__init__()
        self.edges = nn.ModuleDict({e: nn.ModuleList([make_op(o, C) for o in OPS]) for e in EDGES})

    def forward(self, x, weights):  # weights: softmax(alpha), 6 x 5
        nodes = [x]
        for i in range(1, 4):
            terms = []
            for j in range(i):
                e = f"{i}<-{j}"
                w = weights[EDGES.index(e)]
                terms.append(sum(w[k] * op(nodes[j]) for k, op in enumerate(self.edges[e])))
            nodes.append(sum(terms))
        return nodes[-1]


class ResNetBasicBlock(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv_a = ReLUConvBN(cin, cout, 3, 2, 1, affine=True)
        self.conv_b = ReLUConvBN(cout, cout, 3, 1, 1, affine=True)
        self.downsample = nn.Sequential(nn.AvgPool2d(2, 2, 0), nn.Conv2d(cin, cout, 1, 1, 0, bias=False))

    def forward(self, x):
        return self.downsample(x) + self.conv_b(self.conv_a(x))


class Nb201Supernet(nn.Module):
    def __init__(self, C=16, N=5, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, C, 3, padding=1, bias=False), nn.BatchNorm2d(C))
        layers = []
        for stage, width in enumerate([C, 2 * C, 4 * C]):
            if stage > 0:
                layers.append(ResNetBasicBlock(width // 2, width))
            layers += [SearchCell(width) for _ in range(N)]
        self.cells = nn.ModuleList(layers)
        self.lastact = nn.Sequential(nn.BatchNorm2d(4 * C), nn.ReLU(inplace=True))
        self.classifier = nn.Linear(4 * C, classes)
        self.arch_parameters = nn.Parameter(1e-3 * torch.randn(len(EDGES), len(OPS)))

    def weights(self):
        return [p for n, p in self.named_parameters() if n != "arch_parameters"]

    def forward(self, x):
        alphas = F.softmax(self.arch_parameters, dim=-1)
        x = self.stem(x)
        for cell in self.cells:
            x = cell(x, alphas) if isinstance(cell, SearchCell) else cell(x)
        x = F.adaptive_avg_pool2d(self.lastact(x), 1).flatten(1)
        return self.classifier(x)


def fwd_macs_per_image(model, example, batch):
    total = [0]

    def hook(mod, inp, out):
        if isinstance(mod, nn.Conv2d):
            kh, kw = mod.kernel_size
            total[0] += out.numel() * (mod.in_channels // mod.groups) * kh * kw
        elif isinstance(mod, nn.Linear):
            total[0] += out.numel() * mod.in_features

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model(example)
    for h in hs:
        h.remove()
    return total[0] // batch


def time_steps(step, min_iters=10, max_iters=200, target_s=4.0, warmup=3):
    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    step()
    est = time.perf_counter() - t0
    n = int(min(max_iters, max(min_iters, math.ceil(target_s / max(est, 1e-6)))))
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        step()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--blas-autodetect", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=0, help="fixed number of timed steps (0: ~4 s)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    B = 64
    model = Nb201Supernet()
    model.train()
    x_train, y_train = torch.randn(B, 3, 32, 32), torch.randint(0, 10, (B,))
    x_valid, y_valid = torch.randn(B, 3, 32, 32), torch.randint(0, 10, (B,))
    macs = 2 * fwd_macs_per_image(model, x_train, B)
    w_opt = torch.optim.SGD(model.weights(), lr=0.025, momentum=0.9, nesterov=True, weight_decay=5e-4)
    a_opt = torch.optim.Adam([model.arch_parameters], lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)

    def step():
        a_opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x_valid), y_valid).backward()
        a_opt.step()
        w_opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x_train), y_train).backward()
        nn.utils.clip_grad_norm_(model.weights(), 5.0)
        w_opt.step()

    if args.steps > 0:
        for _ in range(3):
            step()
        ts = []
        for _ in range(args.steps):
            t0 = time.perf_counter()
            step()
            ts.append(time.perf_counter() - t0)
        t = statistics.median(ts)
    else:
        t = time_steps(step)
    print(f"# torch {torch.__version__} threads={torch.get_num_threads()} loadavg={os.getloadavg()[0]:.2f}")
    print(f"nb201_supernet {t * 1e3:.3f} {B / t:.1f} {3 * 2 * macs * B / t / 1e9:.2f}", flush=True)


if __name__ == "__main__":
    main()
