// Reading whole data files that may be gzip-compressed: read_data_file() returns the file's bytes,
// inflating them (zlib) when the file starts with the gzip magic 1f 8b, so every dataset reader
// accepts "train-images-idx3-ubyte" and "train-images-idx3-ubyte.gz" alike. Errors are one line
// naming the file: missing/unreadable file, corrupt gzip data (with the compressed byte offset),
// a gzip stream that ends early.
#pragma once

#include <string>

namespace tandem {

// True when `bytes` begin with the gzip magic number (0x1f 0x8b).
bool is_gzip(const std::string& bytes);

// Inflates a gzip stream (several concatenated members are allowed, as `gzip` writes them).
// `source` names the data in error messages.
std::string gunzip(const std::string& compressed, const std::string& source);

// The file's contents, decompressed when it is gzip. Throws tandem::Error naming `path`.
std::string read_data_file(const std::string& path);

}  // namespace tandem
