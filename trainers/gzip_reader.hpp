// Reading whole data files that may be gzip-compressed: read_data_file() returns the file's bytes,
// inflating them (zlib) when the file starts with the gzip magic 1f 8b, so every dataset reader
// accepts "train-images-idx3-ubyte" and "train-images-idx3-ubyte.gz" alike. Errors are one line
// naming the file: missing/unreadable file, corrupt gzip data (with the compressed byte offset),
// a gzip stream that ends early, a stream that inflates beyond its bound (a gzip bomb).
//
// The bound: a data file's decompressed bytes never exceed kMaxDecompressedBytes (4 GiB, twenty
// times the largest built-in dataset, CIFAR-100), and a reader that knows the size from the
// file's own header (IDX) passes an ExpectedSize so inflation stops as soon as the data outgrows
// what the header announces. Either is one line naming the file, never an out-of-memory crash.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tandem {

inline constexpr std::uint64_t kMaxDecompressedBytes = std::uint64_t{4} << 30;

// Given the first bytes decompressed so far, the file's whole size as its header announces it,
// or nullopt while the header is incomplete (or unusable: the reader reports that itself).
using ExpectedSize = std::function<std::optional<std::uint64_t>(std::string_view head)>;

// True when `bytes` begin with the gzip magic number (0x1f 0x8b).
bool is_gzip(const std::string& bytes);

// Inflates a gzip stream (several concatenated members are allowed, as `gzip` writes them).
// `source` names the data in error messages.
std::string gunzip(const std::string& compressed, const std::string& source,
                   const ExpectedSize& expected = {},
                   std::uint64_t limit = kMaxDecompressedBytes);

// The file's contents, decompressed when it is gzip. Throws tandem::Error naming `path`.
std::string read_data_file(const std::string& path, const ExpectedSize& expected = {});

}  // namespace tandem
