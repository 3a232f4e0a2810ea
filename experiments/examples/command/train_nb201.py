#!/usr/bin/env python3
"""Trains one tandem candidate with PyTorch: the `command` evaluator's worked example.

tandem runs this script once per trial (experiments/examples/command/nb201_fashion_mnist.yaml).
The candidate arrives as a JSON document whose path is in TANDEM_TRIAL_FILE. It holds the
network already lowered to a layer list, so the script builds the PyTorch model from that list
and works for any space that lowers to a network (nb201, darts, mobilenet, mlp). The script
trains on Fashion-MNIST (or MNIST, same IDX format) and prints one JSON line per epoch (an
intermediate report, which the pruner sees). After each report it reads tandem's reply on
stdin, stops early when told to prune, and prints the final metrics as a last JSON line.
The protocol: docs/command-evaluator.md.

Data: --data names a folder holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],
t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]. The default is
$TANDEM_DATA/fashion-mnist, else /usr/share/datasets/fashion-mnist, where Debian's
`dataset-fashion-mnist` package installs them.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(folder, stem):
    """An IDX file (optionally gzipped) as a uint8 tensor of its declared shape."""
    for name in (stem + ".gz", stem):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                data = f.read()
            zero, dtype, dims = struct.unpack(">HBB", data[:4])
            if zero != 0 or dtype != 0x08:
                sys.exit("%s: not an IDX file of unsigned bytes" % path)
            shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
            body = data[4 + 4 * dims:]
            count = math.prod(shape)
            if len(body) < count:
                sys.exit("%s: truncated (%d of %d bytes)" % (path, len(body), count))
            return torch.frombuffer(bytearray(body[:count]), dtype=torch.uint8).reshape(shape)
    sys.exit("no %s[.gz] in %s (pass --data FOLDER)" % (stem, folder))


def load_split(folder, prefix, limit):
    images = read_idx(folder, prefix + "-images-idx3-ubyte")[:limit]
    labels = read_idx(folder, prefix + "-labels-idx1-ubyte")[:limit]
    x = images.float().div_(255.0).unsqueeze(1)  # N x 1 x 28 x 28
    return (x - 0.2860) / 0.3530, labels.long()  # Fashion-MNIST's mean and std


def fit_input(x, shape):
    """Resizes a batch of 1-channel images to the network's input [C, H, W]."""
    channels, height, width = shape
    if x.shape[2:] != (height, width):
        x = F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False)
    return x.expand(-1, channels, -1, -1) if channels != 1 else x


class LayerGraph(nn.Module):
    """A network built from the trial document's layer list (tandem's compute graph)."""

    def __init__(self, network):
        super().__init__()
        self.layers = network["layers"]
        self.outputs = network["outputs"]
        self.ops = nn.ModuleDict()
        shapes = {}
        for layer in self.layers:
            name, op = layer["name"], layer["op"]
            shapes[name] = layer["output"]
            first = shapes[layer["inputs"][0]] if layer["inputs"] else None
            key = self.key(name)
            if op == "conv2d":
                self.ops[key] = nn.Conv2d(first[0], layer["out_channels"], tuple(layer["kernel"]),
                                          stride=layer["stride"], padding=layer["padding"],
                                          dilation=layer["dilation"], groups=layer["groups"],
                                          bias=layer["bias"])
            elif op == "linear":
                self.ops[key] = nn.Linear(first[0] * first[1] * first[2], layer["out_features"],
                                          bias=layer["bias"])
            elif op == "batch_norm":
                self.ops[key] = nn.BatchNorm2d(first[0], affine=layer["affine"])
            elif op == "dropout":
                self.ops[key] = nn.Dropout(layer["rate"])

    @staticmethod
    def key(name):
        return name.replace(".", "_")

    def forward(self, x):
        values = {}
        for layer in self.layers:
            name, op = layer["name"], layer["op"]
            args = [values[i] for i in layer["inputs"]]
            if op == "input":
                y = x
            elif op in ("conv2d", "batch_norm", "dropout"):
                y = self.ops[self.key(name)](args[0])
            elif op == "linear":
                y = self.ops[self.key(name)](torch.flatten(args[0], 1))
            elif op == "relu":
                y = F.relu(args[0])
            elif op == "relu6":
                y = F.relu6(args[0])
            elif op == "max_pool":
                y = F.max_pool2d(args[0], tuple(layer["kernel"]), layer["stride"],
                                 layer["padding"], ceil_mode=layer["ceil_mode"])
            elif op == "avg_pool":
                y = F.avg_pool2d(args[0], tuple(layer["kernel"]), layer["stride"],
                                 layer["padding"], ceil_mode=layer["ceil_mode"],
                                 count_include_pad=layer["count_include_pad"])
            elif op == "global_avg_pool":
                y = args[0].mean(dim=(2, 3), keepdim=True)
            elif op == "add":
                y = args[0]
                for other in args[1:]:
                    y = y + other
            elif op == "concat":
                y = torch.cat(args, dim=1)
            elif op == "zero":
                c, h, w = layer["output"]
                y = args[0].new_zeros((args[0].shape[0], c, h, w))
            elif op == "identity":
                y = args[0]
            elif op == "channel_slice":
                y = args[0][:, layer["begin"]:layer["end"]]
            elif op == "channel_shuffle":
                n, c, h, w = args[0].shape
                g = layer["groups"]
                y = args[0].reshape(n, g, c // g, h, w).transpose(1, 2).reshape(n, c, h, w)
            else:
                raise ValueError("layer %s: op %s is not supported by this script" % (name, op))
            values[name] = y
        return values[self.outputs[0]]


def evaluate(model, x, y, shape, batch_size):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for begin in range(0, len(x), batch_size):
            logits = model(fit_input(x[begin:begin + batch_size], shape))
            target = y[begin:begin + batch_size]
            loss += F.cross_entropy(logits, target, reduction="sum").item()
            correct += (logits.argmax(1) == target).sum().item()
    return loss / len(x), 100.0 * correct / len(x)


def main():
    default_data = os.path.join(os.environ.get("TANDEM_DATA", ""), "fashion-mnist")
    if not os.environ.get("TANDEM_DATA"):
        default_data = "/usr/share/datasets/fashion-mnist"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=default_data)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--train-samples", type=int, default=6000)
    parser.add_argument("--val-samples", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()

    trial = json.load(open(os.environ["TANDEM_TRIAL_FILE"]))
    if trial["network"] is None:
        sys.exit("space %s does not lower to a network" % trial["space"])
    torch.manual_seed(trial["seed"])
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)

    train_x, train_y = load_split(args.data, "train", args.train_samples)
    val_x, val_y = load_split(args.data, "t10k", args.val_samples)
    shape = trial["network"]["input"]
    model = LayerGraph(trial["network"]).to(device)
    print("trial %d: %s, %d parameters, on %s" % (
        trial["trial"], trial["candidate"], sum(p.numel() for p in model.parameters()), device))
    train_x, train_y, val_x, val_y = (t.to(device) for t in (train_x, train_y, val_x, val_y))

    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True,
                                weight_decay=5e-4)
    steps = args.epochs * math.ceil(len(train_x) / args.batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, max(1, steps))
    generator = torch.Generator().manual_seed(trial["seed"])
    started = time.time()
    val_loss, val_accuracy = float("nan"), 0.0
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(train_x), generator=generator).to(device)
        total, seen = 0.0, 0
        for begin in range(0, len(order), args.batch_size):
            batch = order[begin:begin + args.batch_size]
            loss = F.cross_entropy(model(fit_input(train_x[batch], shape)), train_y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(batch)
            seen += len(batch)
        val_loss, val_accuracy = evaluate(model, val_x, val_y, shape, 256)
        print(json.dumps({"step": epoch, "train_loss": total / seen, "val_loss": val_loss,
                          "val_accuracy": val_accuracy}), flush=True)
        if json.loads(sys.stdin.readline() or '{"prune": false}')["prune"]:
            break  # a pruner stopped this trial: report what we have and end
    torch.save(model.state_dict(), os.path.join(trial["trial_dir"], "weights.pt"))
    print(json.dumps({"accuracy": val_accuracy, "loss": val_loss,
                      "params": sum(p.numel() for p in model.parameters()),
                      "train_seconds": time.time() - started}))


if __name__ == "__main__":
    main()
