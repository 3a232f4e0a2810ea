// IDX reader for MNIST-style folders (see idx_reader.hpp).
#include "trainers/idx_reader.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <sstream>

#include "core/error.hpp"
#include "trainers/gzip_reader.hpp"

namespace tandem {
namespace {

constexpr std::uint32_t kImageMagic = 0x00000803;
constexpr std::uint32_t kLabelMagic = 0x00000801;

std::uint32_t big_endian_u32(const std::string& bytes, std::size_t offset) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i)
    value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return value;
}

std::string hex(std::uint32_t value) {
  std::ostringstream out;
  out << "0x" << std::hex;
  out.width(8);
  out.fill('0');
  out << value;
  return out.str();
}

// Checks the header (magic and `dims` big-endian sizes) and returns the sizes.
std::vector<std::uint32_t> read_header(const std::string& bytes, const std::string& source,
                                       std::uint32_t magic, const char* what) {
  const std::size_t dims = magic & 0xff;
  const std::size_t header = 4 + 4 * dims;
  auto truncated = [&] {
    return ParseError(source + ": truncated at byte offset " + std::to_string(bytes.size()) +
                      " (expected a " + std::to_string(header) + "-byte IDX " + what + " header)");
  };
  if (bytes.size() < 4) throw truncated();
  const std::uint32_t found = big_endian_u32(bytes, 0);
  if (found != magic)
    throw ParseError(source + ": wrong magic number " + hex(found) +
                     " at byte offset 0 (expected " + hex(magic) + " for IDX " + what +
                     ", unsigned bytes with " + std::to_string(dims) + " dimensions)");
  if (bytes.size() < header) throw truncated();
  std::vector<std::uint32_t> sizes;
  for (std::size_t d = 0; d < dims; ++d) sizes.push_back(big_endian_u32(bytes, 4 + 4 * d));
  return sizes;
}

void check_length(const std::string& bytes, const std::string& source, std::size_t header,
                  std::uint64_t count, std::uint64_t per_item, const char* items) {
  const std::uint64_t expected = header + count * per_item;
  if (bytes.size() < expected)
    throw ParseError(source + ": truncated at byte offset " + std::to_string(bytes.size()) +
                     " (expected " + std::to_string(expected) + " bytes for " +
                     std::to_string(count) + " " + items + ")");
  if (bytes.size() > expected)
    throw ParseError(source + ": " + std::to_string(bytes.size() - expected) +
                     " unexpected bytes after byte offset " + std::to_string(expected) + " (" +
                     std::to_string(count) + " " + items + " end there)");
}

// The size an IDX file's header announces (magic 0x000008DD, then DD big-endian sizes, one byte
// per element), once `head` holds the whole header; nullopt before, or for a wrong magic number
// (read_header reports that).
std::optional<std::uint64_t> idx_announced_size(std::string_view head) {
  if (head.size() < 4) return std::nullopt;
  const std::string start(head.substr(0, 4));
  const std::uint32_t magic = big_endian_u32(start, 0);
  if ((magic >> 8) != 0x08 || (magic & 0xff) == 0) return std::nullopt;
  const std::size_t dims = magic & 0xff;
  const std::size_t header = 4 + 4 * dims;
  if (head.size() < header) return std::nullopt;
  const std::string sizes(head.substr(0, header));
  std::uint64_t elements = 1;
  for (std::size_t d = 0; d < dims; ++d) {
    const std::uint64_t size = big_endian_u32(sizes, 4 + 4 * d);
    if (size != 0 && elements > (std::uint64_t{1} << 40) / size) return std::uint64_t{1} << 40;
    elements *= size;
  }
  return header + elements;
}

std::string find_file(const std::filesystem::path& folder, const std::string& stem) {
  for (const std::string& candidate : {stem, stem + ".gz"})
    if (std::filesystem::exists(folder / candidate)) return (folder / candidate).string();
  throw Error(folder.string() + ": no " + stem + " or " + stem +
              ".gz in this folder (an IDX dataset folder needs train-images-idx3-ubyte, "
              "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, raw "
              "or .gz)");
}

}  // namespace

Dataset parse_idx(const std::string& image_bytes, const std::string& image_source,
                  const std::string& label_bytes, const std::string& label_source, int classes,
                  const std::string& name) {
  const auto image_sizes = read_header(image_bytes, image_source, kImageMagic, "images");
  const auto label_sizes = read_header(label_bytes, label_source, kLabelMagic, "labels");
  const std::uint64_t count = image_sizes[0];
  const std::uint64_t rows = image_sizes[1], columns = image_sizes[2];
  if (rows == 0 || columns == 0 || rows > 65536 || columns > 65536)
    throw ParseError(image_source + ": implausible image size " + std::to_string(rows) + "x" +
                     std::to_string(columns) + " in the header at byte offset 8");
  check_length(image_bytes, image_source, 16, count, rows * columns, "images");
  check_length(label_bytes, label_source, 8, label_sizes[0], 1, "labels");
  if (label_sizes[0] != count)
    throw ParseError(label_source + ": " + std::to_string(label_sizes[0]) + " labels but " +
                     image_source + " holds " + std::to_string(count) + " images");

  Dataset data;
  data.name = name;
  data.sample_shape = TensorShape{1, static_cast<int>(rows), static_cast<int>(columns)};
  data.classes = classes;
  data.images.resize(count * rows * columns);
  const auto* pixels = reinterpret_cast<const unsigned char*>(image_bytes.data() + 16);
  for (std::size_t i = 0; i < data.images.size(); ++i)
    data.images[i] = static_cast<float>(pixels[i]) / 255.0f;
  data.labels.resize(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    const int label = static_cast<unsigned char>(label_bytes[8 + i]);
    if (label >= classes)
      throw ParseError(label_source + ": label " + std::to_string(label) + " at byte offset " +
                       std::to_string(8 + i) + " is outside 0.." + std::to_string(classes - 1));
    data.labels[i] = label;
  }
  return data;
}

Dataset read_idx(const std::string& images_path, const std::string& labels_path, int classes,
                 const std::string& name) {
  return parse_idx(read_data_file(images_path, idx_announced_size), images_path,
                   read_data_file(labels_path, idx_announced_size), labels_path, classes, name);
}

DatasetSplits read_idx_folder(const std::string& folder, const std::string& name) {
  if (!std::filesystem::is_directory(folder))
    throw Error(folder + ": not a folder (" + name +
                " needs a folder with the four IDX files, raw or .gz)");
  const std::filesystem::path dir(folder);
  DatasetSplits splits;
  splits.train = read_idx(find_file(dir, "train-images-idx3-ubyte"),
                          find_file(dir, "train-labels-idx1-ubyte"), 10, name + " train");
  splits.test = read_idx(find_file(dir, "t10k-images-idx3-ubyte"),
                         find_file(dir, "t10k-labels-idx1-ubyte"), 10, name + " test");
  return splits;
}

}  // namespace tandem
