// Dataset lookup by name or path (see dataset_reader.hpp).
#include "trainers/dataset_reader.hpp"

#include <cstdlib>
#include <filesystem>

#include "core/error.hpp"
#include "core/text.hpp"
#include "trainers/cifar_reader.hpp"
#include "trainers/csv_dataset.hpp"
#include "trainers/idx_reader.hpp"

namespace fs = std::filesystem;

namespace tandem {
namespace {

struct NamedDataset {
  const char* name;
  const char* default_location;  // under a data folder
};

const NamedDataset kDatasets[] = {
    {"digits", "uci-digits/digits.csv.gz"}, {"mnist", "mnist"},
    {"fashion_mnist", "fashion-mnist"},     {"cifar10", "cifar-10-batches-bin"},
    {"cifar100", "cifar-100-binary"},
};

std::string resolve(const std::string& path, const std::string& base_dir) {
  fs::path p(path);
  if (p.is_relative() && !base_dir.empty()) p = fs::path(base_dir) / p;
  return p.lexically_normal().string();
}

// The default location of a named dataset: $TANDEM_DATA, else a data/ folder in `base_dir` (the
// config file's folder; "" = the current folder) or in any folder above it, nearest first.
std::string default_location(const NamedDataset& dataset, const std::string& base_dir) {
  std::string looked;
  if (const char* env = std::getenv("TANDEM_DATA"); env && *env) {
    const fs::path candidate = fs::path(env) / dataset.default_location;
    if (fs::exists(candidate)) return candidate.string();
    looked = candidate.string() + ", then ";
  }
  std::error_code error;
  fs::path folder = fs::absolute(base_dir.empty() ? fs::path(".") : fs::path(base_dir), error)
                        .lexically_normal();
  const fs::path start = folder;
  for (;;) {
    const fs::path candidate = folder / "data" / dataset.default_location;
    if (fs::exists(candidate)) return candidate.string();
    if (!folder.has_parent_path() || folder.parent_path() == folder) break;
    folder = folder.parent_path();
  }
  throw Error(std::string("dataset '") + dataset.name + "' not found: looked for " + looked +
              "data/" + dataset.default_location + " in " + start.string() +
              " and every folder above it (give its location: `tandem train --data-path`, the "
              "evaluator's `path:`; or set TANDEM_DATA to the folder that holds " +
              dataset.default_location + ")");
}

DatasetSplits load_named(const std::string& name, const std::string& location) {
  if (name == "digits") {
    CsvDatasetOptions options;
    options.shape = TensorShape{1, 8, 8};
    options.classes = 10;
    DatasetSplits splits;
    splits.train = read_csv_dataset(location, options);
    splits.train.name = "digits";
    return splits;
  }
  if (name == "mnist" || name == "fashion_mnist") return read_idx_folder(location, name);
  if (name == "cifar10") return read_cifar_folder(location, CifarVariant::cifar10);
  return read_cifar_folder(location, CifarVariant::cifar100);
}

// A dataset of fixed class count checked against the count the user declared (0: none).
DatasetSplits with_classes(DatasetSplits splits, int classes) {
  if (classes > 0 && classes != splits.train.classes)
    throw Error("classes " + std::to_string(classes) + " given, but dataset '" +
                splits.train.name + "' has " + std::to_string(splits.train.classes) + " classes");
  return splits;
}

}  // namespace

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const auto& dataset : kDatasets) list.push_back(dataset.name);
    return list;
  }();
  return names;
}

DatasetSplits load_dataset(const std::string& name_or_path, const std::string& path,
                           const std::string& base_dir, int classes) {
  for (const auto& dataset : kDatasets) {
    if (name_or_path != dataset.name) continue;
    const std::string location =
        path.empty() ? default_location(dataset, base_dir) : resolve(path, base_dir);
    return with_classes(load_named(dataset.name, location), classes);
  }
  const std::string accepted = "accepted names: " + join(dataset_names(), ", ") +
                               ", or a path to a CSV file or a dataset folder";
  TANDEM_CHECK(path.empty(), "dataset '" + name_or_path + "' is not a name, so it takes no " +
                                 "separate path; " + accepted);
  const std::string location = resolve(name_or_path, base_dir);
  if (fs::is_directory(location)) {
    const fs::path dir(location);
    auto has = [&](const std::string& file) {
      return fs::exists(dir / file) || fs::exists(dir / (file + ".gz"));
    };
    if (has("train-images-idx3-ubyte"))
      return with_classes(read_idx_folder(location, dir.filename().string()), classes);
    if (has("data_batch_1.bin") || fs::is_directory(dir / "cifar-10-batches-bin"))
      return with_classes(read_cifar_folder(location, CifarVariant::cifar10), classes);
    if (has("train.bin") || fs::is_directory(dir / "cifar-100-binary"))
      return with_classes(read_cifar_folder(location, CifarVariant::cifar100), classes);
    throw Error(location + ": a folder without IDX (train-images-idx3-ubyte) or CIFAR " +
                "(data_batch_1.bin, train.bin) files; " + accepted);
  }
  if (fs::is_regular_file(location)) {
    DatasetSplits splits;
    CsvDatasetOptions options;
    options.classes = classes;
    splits.train = read_csv_dataset(location, options);
    return splits;
  }
  throw Error("unknown dataset '" + name_or_path + "'" +
              did_you_mean(name_or_path, dataset_names()) + " (no such name, file or folder); " +
              accepted);
}

}  // namespace tandem
