// Fuzz target: the CIFAR-10 / CIFAR-100 binary reader (trainers/cifar_reader.cpp parse_cifar).
// Input: byte 0 picks the variant (even: CIFAR-10, odd: CIFAR-100), the rest is one batch file.
// A parsed dataset must pass Dataset::check(). Seeds: tests/fuzz/corpus/fuzz_cifar/.
// Links: tandem_trainers
#include "trainers/cifar_reader.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto variant = data[0] % 2 ? tandem::CifarVariant::cifar100 : tandem::CifarVariant::cifar10;
  const std::string bytes = tandem_fuzz::text_of(data + 1, size - 1);
  tandem_fuzz::fuzz_one([&] {
    tandem::Dataset dataset;
    dataset.name = "fuzz";
    dataset.sample_shape = tandem::TensorShape{3, 32, 32};
    dataset.classes = variant == tandem::CifarVariant::cifar100 ? 100 : 10;
    tandem::parse_cifar(bytes, "<fuzz>", variant, dataset);
    dataset.check();
  });
  return 0;
}
