#!/usr/bin/python3
"""PyTorch half of the LeNet/MNIST accuracy comparison in docs/training.md.

Trains bench/torch_ref.py's LeNet-5 (conv 6@5x5, relu, maxpool 2, conv 16@5x5, relu, maxpool 2,
fc 120, relu, fc 84, relu, fc 10; PyTorch default init) with torch_ref.py's optimizer (SGD lr 0.01,
momentum 0.9) and batch 128 on the 60,000 MNIST training images for E epochs (default 1), one
shuffled pass per epoch, then prints the accuracy on the 10,000 test images. Inputs are scaled to
[0, 1] and normalised with the training set's mean and std, as tandem's training loop does.
The tandem half of the comparison is the same recipe through the CLI:

    build/tandem train --workload lenet --dataset mnist --data-path DIR --epochs 1 --batch 128 \
        --lr 0.01 --momentum 0.9 --threads 2 --seed S

Usage: bench/lenet_mnist_accuracy.py [--data DIR] [--epochs E] [--seeds 0 1 2] [--threads 2]
Needs Debian's python3-torch and python3-numpy (run with /usr/bin/python3).
"""
import os

os.environ.setdefault("OPENBLAS_CORETYPE", "Cooperlake")  # see bench/torch_ref.py
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import gzip
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path, magic):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    found, count = struct.unpack(">II", data[:8])
    assert found == magic, f"{path}: magic {found:#x}"
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, np.uint8, count * rows * cols, 16).reshape(count, 1, rows, cols)
    return np.frombuffer(data, np.uint8, count, 8)


def find(folder, stem):
    for name in (stem, stem + ".gz"):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise SystemExit(f"{folder}: no {stem}[.gz]")


def lenet_mnist():  # bench/torch_ref.py
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/work/shared/data/mnist")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    train_x = read_idx(find(args.data, "train-images-idx3-ubyte"), 0x803).astype(np.float32) / 255
    train_y = read_idx(find(args.data, "train-labels-idx1-ubyte"), 0x801).astype(np.int64)
    test_x = read_idx(find(args.data, "t10k-images-idx3-ubyte"), 0x803).astype(np.float32) / 255
    test_y = read_idx(find(args.data, "t10k-labels-idx1-ubyte"), 0x801).astype(np.int64)
    mean, std = float(train_x.mean()), float(train_x.std())
    train_x = torch.from_numpy((train_x - mean) / std)
    test_x = torch.from_numpy((test_x - mean) / std)
    train_y, test_y = torch.from_numpy(train_y), torch.from_numpy(test_y)
    print(f"# torch {torch.__version__} threads={torch.get_num_threads()} mean={mean:.4f} "
          f"std={std:.4f} epochs={args.epochs} batch={args.batch} lr={args.lr} "
          f"momentum={args.momentum}")
    print("# seed test_accuracy_percent test_loss train_seconds")

    accuracies = []
    for seed in args.seeds:
        torch.manual_seed(seed)
        model = lenet_mnist()
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
        loss_fn = nn.CrossEntropyLoss()
        start = time.perf_counter()
        model.train()
        for _ in range(args.epochs):
            order = torch.randperm(len(train_y))
            for i in range(0, len(order), args.batch):
                idx = order[i:i + args.batch]
                opt.zero_grad()
                loss = loss_fn(model(train_x[idx]), train_y[idx])
                loss.backward()
                opt.step()
        seconds = time.perf_counter() - start
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(test_x[i:i + 1000]) for i in range(0, len(test_y), 1000)])
            test_loss = float(loss_fn(logits, test_y))
            accuracy = 100.0 * float((logits.argmax(1) == test_y).float().mean())
        accuracies.append(accuracy)
        print(f"{seed} {accuracy:.2f} {test_loss:.4f} {seconds:.2f}", flush=True)
    if len(accuracies) > 1:
        print(f"# mean {statistics.mean(accuracies):.2f} stdev {statistics.stdev(accuracies):.2f} "
              f"over {len(accuracies)} seeds")


if __name__ == "__main__":
    main()
