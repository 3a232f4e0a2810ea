// CIFAR-10/100 binary reader (see cifar_reader.hpp).
#include "trainers/cifar_reader.hpp"

#include <filesystem>

#include "core/error.hpp"
#include "trainers/gzip_reader.hpp"

namespace tandem {
namespace {

constexpr std::size_t kPixels = 3 * 32 * 32;

Dataset empty_cifar(CifarVariant variant, const std::string& name) {
  Dataset data;
  data.name = name;
  data.sample_shape = TensorShape{3, 32, 32};
  data.classes = variant == CifarVariant::cifar10 ? 10 : 100;
  return data;
}

std::string find_file(const std::filesystem::path& folder, const std::string& file,
                      const std::string& expected) {
  for (const std::string& candidate : {file, file + ".gz"})
    if (std::filesystem::exists(folder / candidate)) return (folder / candidate).string();
  throw Error(folder.string() + ": no " + file + " (or " + file + ".gz) in this folder; expected " +
              expected);
}

}  // namespace

void parse_cifar(const std::string& bytes, const std::string& source, CifarVariant variant,
                 Dataset& data) {
  const std::size_t label_bytes = variant == CifarVariant::cifar10 ? 1 : 2;
  const std::size_t record = label_bytes + kPixels;
  const std::size_t records = (bytes.size() + record - 1) / record;
  if (bytes.empty() || bytes.size() % record != 0)
    throw ParseError(source + ": truncated at byte offset " + std::to_string(bytes.size()) +
                     " (expected " + std::to_string(records * record) + " bytes for " +
                     std::to_string(records) + " images of " + std::to_string(record) +
                     " bytes each)");
  const std::size_t first = data.size();
  data.images.resize((first + records) * kPixels);
  data.labels.resize(first + records);
  const auto* raw = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::size_t r = 0; r < records; ++r) {
    const std::size_t offset = r * record + label_bytes - 1;  // the (fine) label
    const int label = raw[offset];
    if (label >= data.classes)
      throw ParseError(source + ": label " + std::to_string(label) + " at byte offset " +
                       std::to_string(offset) + " is outside 0.." +
                       std::to_string(data.classes - 1) + " (is this the right CIFAR variant?)");
    data.labels[first + r] = label;
    const unsigned char* pixels = raw + r * record + label_bytes;
    float* out = data.images.data() + (first + r) * kPixels;
    for (std::size_t p = 0; p < kPixels; ++p) out[p] = static_cast<float>(pixels[p]) / 255.0f;
  }
}

DatasetSplits read_cifar_folder(const std::string& folder, CifarVariant variant) {
  const bool ten = variant == CifarVariant::cifar10;
  const std::string name = ten ? "cifar10" : "cifar100";
  const std::string expected =
      ten ? "data_batch_1.bin .. data_batch_5.bin and test_batch.bin (CIFAR-10 binary version)"
          : "train.bin and test.bin (CIFAR-100 binary version)";
  if (!std::filesystem::is_directory(folder))
    throw Error(folder + ": not a folder (" + name + " needs a folder with " + expected + ")");
  std::filesystem::path dir(folder);
  const char* unpacked = ten ? "cifar-10-batches-bin" : "cifar-100-binary";
  if (std::filesystem::is_directory(dir / unpacked)) dir /= unpacked;

  DatasetSplits splits;
  splits.train = empty_cifar(variant, name + " train");
  Dataset test = empty_cifar(variant, name + " test");
  if (ten) {
    for (int batch = 1; batch <= 5; ++batch) {
      const std::string path =
          find_file(dir, "data_batch_" + std::to_string(batch) + ".bin", expected);
      parse_cifar(read_data_file(path), path, variant, splits.train);
    }
    const std::string path = find_file(dir, "test_batch.bin", expected);
    parse_cifar(read_data_file(path), path, variant, test);
  } else {
    const std::string train_path = find_file(dir, "train.bin", expected);
    parse_cifar(read_data_file(train_path), train_path, variant, splits.train);
    const std::string test_path = find_file(dir, "test.bin", expected);
    parse_cifar(read_data_file(test_path), test_path, variant, test);
  }
  splits.test = std::move(test);
  return splits;
}

}  // namespace tandem
