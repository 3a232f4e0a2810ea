// IDX files (LeCun's MNIST format, also Fashion-MNIST), raw or gzip: big-endian header — magic
// 0x00000803 (unsigned bytes, 3 dimensions) + count + rows + columns for images, 0x00000801 + count
// for labels — then one byte per pixel / label. Pixels become floats in [0, 1] (byte / 255).
// Errors name the file and the byte offset: a wrong magic number, a truncated file ("truncated at
// byte offset N (expected M bytes for K images)"), a label outside [0, classes), image and label
// files of different lengths.
#pragma once

#include <string>

#include "trainers/dataset.hpp"

namespace tandem {

// Parses the bytes of an image file and a label file (`*_source` name them in errors).
Dataset parse_idx(const std::string& image_bytes, const std::string& image_source,
                  const std::string& label_bytes, const std::string& label_source, int classes,
                  const std::string& name);

// Reads an image file and a label file (each raw or .gz).
Dataset read_idx(const std::string& images_path, const std::string& labels_path, int classes,
                 const std::string& name);

// A folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
// t10k-labels-idx1-ubyte, each optionally with ".gz" (MNIST and Fashion-MNIST use these names).
// 10 classes. A missing file is an error naming the folder and the file names looked for.
DatasetSplits read_idx_folder(const std::string& folder, const std::string& name);

}  // namespace tandem
