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

// The default location of a named dataset: the first data folder that has it.
std::string default_location(const NamedDataset& dataset) {
  std::vector<std::string> roots;
  if (const char* env = std::getenv("TANDEM_DATA"); env && *env) roots.push_back(env);
  roots.push_back("data");
  roots.push_back("../data");
  std::vector<std::string> tried;
  for (const auto& root : roots) {
    const fs::path candidate = fs::path(root) / dataset.default_location;
    if (fs::exists(candidate)) return candidate.string();
    tried.push_back(candidate.string());
  }
  throw Error(
      std::string("dataset '") + dataset.name + "' not found: looked for " + join(tried, ", ") +
      " (give its location: `tandem train --data-path`, the train evaluator's `path:`; or set " +
      "TANDEM_DATA to the folder that holds " + dataset.default_location + ")");
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
                           const std::string& base_dir) {
  for (const auto& dataset : kDatasets) {
    if (name_or_path != dataset.name) continue;
    const std::string location = path.empty() ? default_location(dataset) : resolve(path, base_dir);
    return load_named(dataset.name, location);
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
    if (has("train-images-idx3-ubyte")) return read_idx_folder(location, dir.filename().string());
    if (has("data_batch_1.bin") || fs::is_directory(dir / "cifar-10-batches-bin"))
      return read_cifar_folder(location, CifarVariant::cifar10);
    if (has("train.bin") || fs::is_directory(dir / "cifar-100-binary"))
      return read_cifar_folder(location, CifarVariant::cifar100);
    throw Error(location + ": a folder without IDX (train-images-idx3-ubyte) or CIFAR " +
                "(data_batch_1.bin, train.bin) files; " + accepted);
  }
  if (fs::is_regular_file(location)) {
    DatasetSplits splits;
    splits.train = read_csv_dataset(location);
    return splits;
  }
  throw Error("unknown dataset '" + name_or_path + "'" +
              did_you_mean(name_or_path, dataset_names()) + " (no such name, file or folder); " +
              accepted);
}

}  // namespace tandem
