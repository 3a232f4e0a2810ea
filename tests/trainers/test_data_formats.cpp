// Dataset file formats: gzip inflation, IDX (MNIST), CIFAR-10/100 binary and CSV, read from small
// files the tests write byte by byte, and the one-line errors for truncated or corrupt files.
#include <doctest/doctest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "trainers/cifar_reader.hpp"
#include "trainers/csv_dataset.hpp"
#include "trainers/dataset_reader.hpp"
#include "trainers/gzip_reader.hpp"
#include "trainers/idx_reader.hpp"

namespace fs = std::filesystem;
using namespace tandem;

namespace {

// A fresh empty folder under the system temp folder.
fs::path scratch(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("tandem_test_data_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void write(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// gzip-compresses with zlib's deflate (gzip wrapper), independently of the reader under test.
std::string gzip(const std::string& data) {
  z_stream s{};
  REQUIRE(deflateInit2(&s, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&s, data.size()) + 32, '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&s, Z_FINISH) == Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

std::string u32be(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s.push_back(static_cast<char>(v));
  return s;
}

// Two 2x3 images: first 0, 255, 51, 102, 153, 204; second all 255. Labels 7, 2.
std::string idx_images() {
  return u32be(0x803) + u32be(2) + u32be(2) + u32be(3) + bytes({0, 255, 51, 102, 153, 204}) +
         std::string(6, static_cast<char>(255));
}
std::string idx_labels() {
  return u32be(0x801) + u32be(2) + bytes({7, 2});
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("gunzip inflates bytes written by the gzip tool") {
  // `printf 'hello, tandem\n' | gzip -n`
  const std::string gz =
      bytes({0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x48,
             0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0x28, 0x49, 0xcc, 0x4b, 0x49, 0xcd, 0xe5,
             0x02, 0x00, 0x7f, 0x9c, 0x79, 0x80, 0x0e, 0x00, 0x00, 0x00});
  CHECK(is_gzip(gz));
  CHECK(gunzip(gz, "hello.gz") == "hello, tandem\n");
  // `printf 'abc' | gzip -n`, concatenated after the first member (what `cat a.gz b.gz` gives).
  const std::string abc =
      bytes({0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x4c,
             0x4a, 0x06, 0x00, 0xc2, 0x41, 0x24, 0x35, 0x03, 0x00, 0x00, 0x00});
  CHECK(gunzip(gz + abc, "two.gz") == "hello, tandem\nabc");
}

TEST_CASE("gunzip round-trips a megabyte and reports truncation and corruption") {
  std::string data;
  for (std::int64_t i = 0; i < (1 << 20); ++i) data.push_back(static_cast<char>((i * 7919) % 251));
  const std::string gz = gzip(data);
  CHECK(gunzip(gz, "big.gz") == data);

  const std::string cut = error_of([&] { gunzip(gz.substr(0, gz.size() / 2), "cut.gz"); });
  CHECK(cut.find("cut.gz: truncated gzip stream") == 0);

  std::string bad = gz;
  bad[3] = static_cast<char>(0xe0);  // reserved FLG bits set: an invalid header
  const std::string corrupt = error_of([&] { gunzip(bad, "bad.gz"); });
  CHECK(corrupt.find("bad.gz: corrupt gzip data at compressed byte offset") == 0);

  std::string flipped = gz;
  flipped[gz.size() - 6] ^= 0x55;  // inside the CRC-32 trailer
  CHECK(error_of([&] { gunzip(flipped, "crc.gz"); }).find("crc.gz: corrupt gzip data") == 0);

  CHECK(error_of([] { read_data_file("/nonexistent/tandem/file.gz"); }) ==
        "/nonexistent/tandem/file.gz: cannot open the file (does it exist?)");
}

TEST_CASE("gunzip stops a gzip bomb at its bound, naming the file") {
  const std::string zeros(1 << 20, '\0');  // 1 MiB of zeros: about 1 KiB compressed
  const std::string gz = gzip(zeros);
  CHECK(gunzip(gz, "ok.gz", {}, 1 << 20) == zeros);
  const std::string capped = error_of([&] { gunzip(gz, "bomb.gz", {}, 1 << 18); });
  CHECK(capped.rfind("bomb.gz: the gzip data inflates to more than 262144 bytes", 0) == 0);
  // A header that announces 100 bytes bounds the output near that, whatever the cap.
  const ExpectedSize announces_100 = [](std::string_view head) -> std::optional<std::uint64_t> {
    if (head.size() < 4) return std::nullopt;
    return 100;
  };
  const std::string announced = error_of([&] { gunzip(gz, "idx.gz", announces_100); });
  CHECK(announced.rfind("idx.gz: the gzip data inflates to more than", 0) == 0);
  CHECK(announced.find("beyond the 100 bytes its header announces") != std::string::npos);
  // An IDX file whose header announces two 2x3 images, followed by 1 MiB more, is refused while
  // inflating, before the reader sees the extra bytes.
  const fs::path dir = scratch("idx_bomb");
  write(dir / "images.gz", gzip(idx_images() + zeros));
  write(dir / "labels", idx_labels());
  const std::string idx =
      error_of([&] { read_idx((dir / "images.gz").string(), (dir / "labels").string(), 10, "b"); });
  CHECK(idx.rfind((dir / "images.gz").string() + ": the gzip data inflates to more than", 0) == 0);
  CHECK(idx.find("beyond the 28 bytes its header announces") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("IDX images and labels from hand-made bytes") {
  Dataset data = parse_idx(idx_images(), "img", idx_labels(), "lbl", 10, "tiny");
  CHECK(data.size() == 2);
  CHECK(data.sample_shape == TensorShape{1, 2, 3});
  CHECK(data.classes == 10);
  CHECK(data.labels == std::vector<int>{7, 2});
  const std::vector<float> first(data.image(0), data.image(0) + 6);
  CHECK(first == std::vector<float>{0.0f, 1.0f, 0.2f, 0.4f, 0.6f, 0.8f});
  CHECK(data.image(1)[5] == 1.0f);
}

TEST_CASE("IDX errors name the file, the offset and what was expected") {
  const std::string images = idx_images();
  CHECK(error_of([&] {
          parse_idx(images.substr(0, 20), "train-images", idx_labels(), "labels", 10, "t");
        }) == "train-images: truncated at byte offset 20 (expected 28 bytes for 2 images)");
  CHECK(error_of([&] { parse_idx(images.substr(0, 10), "imgs", idx_labels(), "l", 10, "t"); }) ==
        "imgs: truncated at byte offset 10 (expected a 16-byte IDX images header)");
  CHECK(error_of([&] { parse_idx(idx_labels(), "swapped", idx_labels(), "l", 10, "t"); }) ==
        "swapped: wrong magic number 0x00000801 at byte offset 0 (expected 0x00000803 for IDX "
        "images, unsigned bytes with 3 dimensions)");
  const std::string three_labels = u32be(0x801) + u32be(3) + bytes({1, 2, 3});
  CHECK(error_of([&] { parse_idx(images, "i", three_labels, "l3", 10, "t"); }) ==
        "l3: 3 labels but i holds 2 images");
  const std::string bad_label = u32be(0x801) + u32be(2) + bytes({1, 10});
  CHECK(error_of([&] { parse_idx(images, "i", bad_label, "lbad", 10, "t"); }) ==
        "lbad: label 10 at byte offset 9 is outside 0..9");
}

TEST_CASE("an MNIST-style folder with raw and gzip files, by name and by path") {
  const fs::path dir = scratch("idx");
  write(dir / "train-images-idx3-ubyte.gz", gzip(idx_images()));
  write(dir / "train-labels-idx1-ubyte", idx_labels());
  write(dir / "t10k-images-idx3-ubyte", idx_images());
  write(dir / "t10k-labels-idx1-ubyte.gz", gzip(u32be(0x801) + u32be(2) + bytes({0, 9})));
  DatasetSplits splits = load_dataset("fashion_mnist", dir.string());
  CHECK(splits.train.size() == 2);
  CHECK(splits.train.labels == std::vector<int>{7, 2});
  REQUIRE(splits.test.has_value());
  CHECK(splits.test->labels == std::vector<int>{0, 9});
  CHECK(splits.train.image(0)[1] == 1.0f);
  // A folder path is recognised by its files.
  CHECK(load_dataset(dir.string()).train.labels == std::vector<int>{7, 2});

  // A truncated .gz member inside the folder: the error names that file.
  const std::string gz = gzip(idx_images());
  write(dir / "train-images-idx3-ubyte.gz", gz.substr(0, gz.size() - 5));
  const std::string message = error_of([&] { load_dataset("mnist", dir.string()); });
  CHECK(message.find((dir / "train-images-idx3-ubyte.gz").string() + ": truncated gzip") == 0);

  fs::remove(dir / "train-images-idx3-ubyte.gz");
  CHECK(error_of([&] {
          load_dataset("mnist", dir.string());
        }).find(dir.string() + ": no train-images-idx3-ubyte or train-images-idx3-ubyte.gz") == 0);
  fs::remove_all(dir);
}

TEST_CASE("CIFAR-10 and CIFAR-100 binary records") {
  // One CIFAR-10 record: label 3, red plane 255, green 0, blue 51.
  std::string record10(1, 3);
  record10 += std::string(1024, static_cast<char>(255)) + std::string(1024, '\0') +
              std::string(1024, static_cast<char>(51));
  const fs::path dir = scratch("cifar10");
  for (int b = 1; b <= 5; ++b)
    write(dir / ("data_batch_" + std::to_string(b) + ".bin"), record10 + record10);
  write(dir / "test_batch.bin.gz", gzip(record10));
  DatasetSplits c10 = load_dataset("cifar10", dir.string());
  CHECK(c10.train.size() == 10);
  CHECK(c10.train.sample_shape == TensorShape{3, 32, 32});
  CHECK(c10.train.classes == 10);
  CHECK(c10.train.labels[9] == 3);
  CHECK(c10.train.image(4)[0] == 1.0f);     // red
  CHECK(c10.train.image(4)[1024] == 0.0f);  // green
  CHECK(c10.train.image(4)[2048] == 0.2f);  // blue
  REQUIRE(c10.test.has_value());
  CHECK(c10.test->size() == 1);

  write(dir / "data_batch_2.bin", record10 + record10.substr(0, 100));
  CHECK(error_of([&] { load_dataset("cifar10", dir.string()); }) ==
        (dir / "data_batch_2.bin").string() +
            ": truncated at byte offset 3173 (expected 6146 bytes for 2 images of 3073 bytes "
            "each)");
  fs::remove_all(dir);

  // CIFAR-100: coarse label 4, fine label 42.
  std::string record100 = bytes({4, 42}) + std::string(3072, static_cast<char>(102));
  const fs::path dir100 = scratch("cifar100") / "cifar-100-binary";
  fs::create_directories(dir100);
  write(dir100 / "train.bin", record100 + record100 + record100);
  write(dir100 / "test.bin", record100);
  DatasetSplits c100 = load_dataset("cifar100", dir100.parent_path().string());
  CHECK(c100.train.size() == 3);
  CHECK(c100.train.classes == 100);
  CHECK(c100.train.labels == std::vector<int>{42, 42, 42});
  CHECK(c100.train.image(2)[3071] == 0.4f);
  fs::remove_all(dir100.parent_path());
}

TEST_CASE("CSV datasets with and without a header") {
  CsvDatasetOptions options;
  Dataset plain = parse_csv_dataset("1,2,3,4,0\n5,6,7,8,2\n", "plain.csv", options);
  CHECK(plain.size() == 2);
  CHECK(plain.sample_shape == TensorShape{1, 2, 2});  // 4 features: a 2x2 square
  CHECK(plain.classes == 3);
  CHECK(plain.labels == std::vector<int>{0, 2});
  CHECK(std::vector<float>(plain.image(1), plain.image(1) + 4) == std::vector<float>{5, 6, 7, 8});

  options.label_column = "species";
  Dataset named = parse_csv_dataset("a,species,b,c\n0.5,1,2,3\n", "named.csv", options);
  CHECK(named.labels == std::vector<int>{1});
  CHECK(named.sample_shape == TensorShape{1, 1, 3});
  CHECK(std::vector<float>(named.image(0), named.image(0) + 3) == std::vector<float>{0.5f, 2, 3});

  CHECK(error_of([] { parse_csv_dataset("1,2,0\n1,x,1\n", "bad.csv", {}); }) ==
        "bad.csv:2: column 1 holds 'x', expected a number");
  // Found by fuzz_csv_dataset: a field with a line break made the error two lines.
  CHECK(error_of([] { parse_csv_dataset("1,2,0\n1,\"x\ny\",1\n", "nl.csv", {}); }) ==
        "nl.csv:2: column 1 holds 'x\\ny', expected a number");
  CHECK(error_of([] { parse_csv_dataset("1,2,0\n1,2,1.5\n", "frac.csv", {}); }) ==
        "frac.csv:2: label '1.5' is not a class index (an integer >= 0)");
  CHECK(error_of([] {
          parse_csv_dataset("1,2,0\n1,2\n", "short.csv", {});
        }).find("short.csv:2: expected 3 fields") == 0);
}

TEST_CASE("the shipped UCI digits: 1797 samples of 8x8 with the published class counts") {
  Dataset digits =
      load_dataset("digits", std::string(TANDEM_SOURCE_DIR) + "/data/uci-digits/digits.csv.gz")
          .train;
  CHECK(digits.size() == 1797);
  CHECK(digits.sample_shape == TensorShape{1, 8, 8});
  CHECK(digits.classes == 10);
  // Per-class counts from data/uci-digits/README.md.
  std::vector<int> counts(10, 0);
  for (int label : digits.labels) ++counts[label];
  CHECK(counts == std::vector<int>{178, 182, 177, 183, 181, 182, 181, 179, 174, 180});
  // First row of the file: 0,0,5,13,9,1,0,0,... label 0.
  CHECK(digits.labels[0] == 0);
  CHECK(std::vector<float>(digits.image(0), digits.image(0) + 4) ==
        std::vector<float>{0, 0, 5, 13});
}

TEST_CASE("unknown dataset names get one line listing the accepted names") {
  const std::string message = error_of([] { load_dataset("mnsit"); });
  CHECK(message ==
        "unknown dataset 'mnsit' (did you mean 'mnist'?) (no such name, file or folder); "
        "accepted names: digits, mnist, fashion_mnist, cifar10, cifar100, or a path to a CSV "
        "file or a dataset folder");
}

TEST_CASE("a declared class count: a CSV label outside it is an error naming its line") {
  CsvDatasetOptions options;
  options.classes = 10;
  // Labels 0..9 are ten classes; the third row's 10 would silently make an eleventh.
  CHECK(error_of([&] { parse_csv_dataset("1,2,9\n3,4,0\n5,6,10\n", "labels.csv", options); }) ==
        "labels.csv:3: label 10 is outside 0..9 (classes = 10)");
  fs::path dir = scratch("classes");
  write(dir / "labels.csv", "1,2,9\n3,4,0\n5,6,10\n");
  const std::string path = (dir / "labels.csv").string();
  CHECK(error_of([&] { load_dataset(path, "", "", 10); }) ==
        path + ":3: label 10 is outside 0..9 (classes = 10)");
  CHECK(load_dataset(path).train.classes == 11);   // undeclared: the largest label + 1
  CHECK(load_dataset(path, "", "", 12).train.classes == 12);
  // A named dataset with a fixed count refuses another.
  const std::string digits = std::string(TANDEM_SOURCE_DIR) + "/data/uci-digits/digits.csv.gz";
  CHECK(error_of([&] { load_dataset("digits", digits, "", 9); }) ==
        "classes 9 given, but dataset 'digits' has 10 classes");
  CHECK(load_dataset("digits", digits, "", 10).train.classes == 10);
  fs::remove_all(dir);
}
