// Datasets by name: load_dataset("digits" | "mnist" | "fashion_mnist" | "cifar10" | "cifar100" |
// a path) picks the reader (csv_dataset, idx_reader, cifar_reader) and finds the files.
//
// A name's files are looked for at `path` when given, else in the default folder under
// $TANDEM_DATA, else under a data/ folder in `base_dir` (the config file's folder; "" = the current
// folder) or in the nearest folder above it that has one (so a config anywhere in the repository,
// and a run from build/, find the shipped data/):
//   digits         data/uci-digits/digits.csv.gz   (shipped; 1x8x8, 10 classes, values 0..16)
//   mnist          data/mnist                      (four IDX files, raw or .gz; not shipped)
//   fashion_mnist  data/fashion-mnist              (same file names as MNIST; not shipped)
//   cifar10        data/cifar-10-batches-bin       (binary version; not shipped)
//   cifar100       data/cifar-100-binary           (binary version; not shipped)
// Anything else is a path: a CSV file (last column = label), or a folder holding IDX or CIFAR
// files. An unknown name is one error line listing the accepted names.
#pragma once

#include <string>
#include <vector>

#include "trainers/dataset.hpp"

namespace tandem {

const std::vector<std::string>& dataset_names();

// `name_or_path`: a dataset name or a path. `path`: where a named dataset's files are ("" = the
// default folder). Relative paths are taken relative to `base_dir` ("" = the current folder).
// `classes` (0 = the dataset's own): the number of classes the user declares. A CSV label outside
// 0..classes-1 is then an error naming its line (not a silent extra class), and a named dataset
// with another class count is refused.
DatasetSplits load_dataset(const std::string& name_or_path, const std::string& path = "",
                           const std::string& base_dir = "", int classes = 0);

}  // namespace tandem
