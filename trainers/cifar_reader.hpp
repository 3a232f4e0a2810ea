// CIFAR-10 / CIFAR-100 binary versions (https://www.cs.toronto.edu/~kriz/cifar.html), raw or gzip.
// CIFAR-10: data_batch_1.bin .. data_batch_5.bin (train) and test_batch.bin, records of 3073
// bytes: label 0..9, then 1024 red, 1024 green, 1024 blue bytes (32x32 row-major).
// CIFAR-100: train.bin and test.bin, records of 3074 bytes: coarse label 0..19, fine label 0..99,
// then the pixels; tandem uses the fine label (100 classes).
// Pixels become floats in [0, 1] (byte / 255); samples are 3x32x32. A file whose length is not a
// whole number of records, or a label out of range, is an error naming the file and byte offset.
#pragma once

#include <string>

#include "trainers/dataset.hpp"

namespace tandem {

enum class CifarVariant { cifar10, cifar100 };

// Appends the records in `bytes` (named `source` in errors) to `data`.
void parse_cifar(const std::string& bytes, const std::string& source, CifarVariant variant,
                 Dataset& data);

// A folder with the variant's files (or a folder containing cifar-10-batches-bin /
// cifar-100-binary, as the archives unpack).
DatasetSplits read_cifar_folder(const std::string& folder, CifarVariant variant);

}  // namespace tandem
