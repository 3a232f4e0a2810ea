// Fuzz target: the IDX reader (MNIST / Fashion-MNIST, trainers/idx_reader.cpp parse_idx), raw or
// gzip as read_data_file() hands it over. Input: 4 bytes of little-endian image-file length, the
// image file, then the label file. A parsed dataset must pass Dataset::check().
// Seeds: small hand-made IDX pairs (tests/fuzz/corpus/fuzz_idx/, written by run_fuzzers.sh).
// Links: tandem_trainers
#include "trainers/gzip_reader.hpp"
#include "trainers/idx_reader.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  std::size_t split = data[0] | (data[1] << 8) | (data[2] << 16) | (std::size_t(data[3] & 0x7f) << 24);
  if (split > size - 4) split = size - 4;
  std::string images = tandem_fuzz::text_of(data + 4, split);
  std::string labels = tandem_fuzz::text_of(data + 4 + split, size - 4 - split);
  tandem_fuzz::fuzz_one([&] {
    if (tandem::is_gzip(images)) images = tandem::gunzip(images, "<images>");
    if (tandem::is_gzip(labels)) labels = tandem::gunzip(labels, "<labels>");
    tandem::Dataset dataset = tandem::parse_idx(images, "<images>", labels, "<labels>", 10, "fuzz");
    dataset.check();
  });
  return 0;
}
