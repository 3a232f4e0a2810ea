// gzip decompression through zlib's inflate (see gzip_reader.hpp).
#include "trainers/gzip_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <fstream>
#include <sstream>

#include "core/error.hpp"

namespace tandem {

bool is_gzip(const std::string& bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

namespace {

// The most bytes `source` may inflate to: `limit`, or less once its header says so (a few bytes
// more than announced are let through, so the reader itself reports trailing bytes exactly).
class OutputBound {
 public:
  OutputBound(const std::string& source, const ExpectedSize& expected, std::uint64_t limit)
      : source_(source), expected_(expected), limit_(limit) {}

  void check(const std::string& out) {
    if (expected_ && !known_) {
      // A plain value and flag rather than std::optional: GCC 12 warns (maybe-uninitialized) on
      // the optional's payload here although it is only read when set.
      if (std::optional<std::uint64_t> size = expected_(out)) {
        known_ = true;
        announced_ = *size;
        if (announced_ + kSlack < limit_) limit_ = announced_ + kSlack;
      }
    }
    if (out.size() <= limit_) return;
    throw ParseError(source_ + ": the gzip data inflates to more than " +
                     std::to_string(limit_) + " bytes, " +
                     (known_ ? "beyond the " + std::to_string(announced_) +
                                       " bytes its header announces"
                                 : std::string("the most tandem reads from one data file")) +
                     " (a corrupt file or a gzip bomb)");
  }

 private:
  static constexpr std::uint64_t kSlack = 1 << 16;
  const std::string& source_;
  const ExpectedSize& expected_;
  std::uint64_t limit_;
  bool known_ = false;             // the header announced a size
  std::uint64_t announced_ = 0;    // that size
};

}  // namespace

std::string gunzip(const std::string& compressed, const std::string& source,
                   const ExpectedSize& expected, std::uint64_t limit) {
  OutputBound bound(source, expected, limit);
  z_stream stream{};
  // 15 + 16: a gzip header and trailer (CRC-32 and length are checked by zlib).
  if (inflateInit2(&stream, 15 + 16) != Z_OK)
    throw InternalError(source + ": zlib inflateInit2 failed");
  std::string out;
  out.reserve(compressed.size() * 4);
  const std::size_t total = compressed.size();
  std::size_t consumed = 0;  // compressed bytes handed to zlib so far
  char buffer[1 << 16];
  bool finished_member = false;
  while (true) {
    if (stream.avail_in == 0 && consumed < total) {
      const std::size_t chunk = std::min<std::size_t>(total - consumed, UINT_MAX / 2);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + consumed));
      stream.avail_in = static_cast<uInt>(chunk);
      consumed += chunk;
    }
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    const int status = inflate(&stream, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - stream.avail_out);
    try {
      bound.check(out);
    } catch (...) {
      inflateEnd(&stream);
      throw;
    }
    const std::size_t offset = consumed - stream.avail_in;  // compressed bytes read by zlib
    if (status == Z_STREAM_END) {
      finished_member = true;
      // Another gzip member may follow (concatenated .gz files); trailing zero padding is ignored.
      std::size_t next = offset;
      while (next < total && compressed[next] == '\0') ++next;
      if (next >= total) break;
      if (!is_gzip(compressed.substr(next, 2))) {
        inflateEnd(&stream);
        throw ParseError(source + ": corrupt gzip data at compressed byte offset " +
                         std::to_string(next) + ": trailing bytes after the gzip stream");
      }
      inflateReset(&stream);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data() + next));
      stream.avail_in = static_cast<uInt>(consumed - next);
      finished_member = false;
      continue;
    }
    if (status == Z_OK) continue;
    if (status == Z_BUF_ERROR && stream.avail_in == 0 && consumed >= total) {
      inflateEnd(&stream);
      throw ParseError(source + ": truncated gzip stream: it ends at compressed byte offset " +
                       std::to_string(total) + " before the end of the data (" +
                       std::to_string(out.size()) + " bytes decompressed)");
    }
    const std::string message = stream.msg ? stream.msg : "zlib error " + std::to_string(status);
    inflateEnd(&stream);
    throw ParseError(source + ": corrupt gzip data at compressed byte offset " +
                     std::to_string(offset) + ": " + message);
  }
  inflateEnd(&stream);
  if (!finished_member)
    throw ParseError(source + ": truncated gzip stream (" + std::to_string(total) +
                     " compressed bytes)");
  return out;
}

std::string read_data_file(const std::string& path, const ExpectedSize& expected) {
  Doing doing("reading " + path);
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error(path + ": cannot open the file (does it exist?)");
  std::ostringstream bytes;
  bytes << file.rdbuf();
  if (file.bad()) throw Error(path + ": read error");
  std::string data = bytes.str();
  if (is_gzip(data)) return gunzip(data, path, expected);
  return data;
}

}  // namespace tandem
