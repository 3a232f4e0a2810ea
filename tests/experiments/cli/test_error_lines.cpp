// Issue 19, items 6 and 7, through the real `tandem`: errors that must name the place and the
// real cause (joint-space accelerator options at their line in the config, an unclosed quote, CR
// line breaks, seeds up to 2^64 - 1, a 200 KB value), and resource exhaustion that must end in
// one clear line rather than "internal error" or a silent signal (out of memory, a gzip bomb, a
// 50,000-entry list, a full disk or file size limit) with no finished trial lost.
#include <doctest/doctest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include "tests/experiments/cli_harness.hpp"

using namespace tandem::testing;

namespace {

// "LINE:COLUMN" (1-based) where `needle` starts in `text`: the truth an error location must match.
std::string position_of(const std::string& text, const std::string& needle, std::size_t skip = 0) {
  const std::size_t at = text.find(needle, skip);
  REQUIRE(at != std::string::npos);
  const std::size_t line_start = text.rfind('\n', at);
  const std::size_t column = line_start == std::string::npos ? at + 1 : at - line_start;
  std::size_t line = 1;
  for (std::size_t i = 0; i < at; ++i) line += text[i] == '\n' ? 1 : 0;
  return std::to_string(line) + ":" + std::to_string(column);
}

const char* kJointConfig =
    "name: joint\n"
    "seed: 0\n"
    "space:\n"
    "  name: joint\n"
    "  options:\n"
    "    network: {space: nb201, options: {width: 4, cells_per_stage: 1}}\n"
    "    accelerator:\n"
    "      space: systolic_hw\n"
    "      options:\n"
    "        rows: ROWS\n"
    "        cols: [8, 16]\n"
    "        fixed: {frequency_mhz: FREQUENCY, energy_table: TABLE}\n"
    "strategy: random\n"
    "evaluators: [{name: hw}]\n"
    "objectives: [{metric: latency_ms, direction: minimize}]\n"
    "budget: {trials: 3}\n";

std::string joint_config(const std::string& rows, const std::string& frequency,
                         const std::string& table) {
  std::string text = kJointConfig;
  text.replace(text.find("ROWS"), 4, rows);
  text.replace(text.find("FREQUENCY"), 9, frequency);
  text.replace(text.find("TABLE"), 5, table);
  return text;
}

// `tandem run` of `text` fails with one line that starts "tandem run: error: FILE:LINE:COL" at
// `needle` (its first occurrence after `skip` bytes) and mentions `also`; no database is left.
void expect_error_at(const std::string& text, const std::string& needle, const std::string& also,
                     std::size_t skip = 0) {
  TempDir dir;
  const std::string config = dir.write("bad.yaml", text);
  const CommandResult result =
      run_tandem("run " + shell_quote(config) + " --db " + shell_quote(dir.file("r.db")), true);
  CHECK(result.exit_code == 1);
  REQUIRE_MESSAGE(result.lines().size() == 1, result.output);
  const std::string where =
      "tandem run: error: " + config + ":" + position_of(text, needle, skip) + ":";
  CHECK_MESSAGE(result.output.rfind(where, 0) == 0, "expected " << where << " in " << result.output);
  CHECK_MESSAGE(result.output.find(also) != std::string::npos, result.output);
  CHECK(result.output.find("<accelerator") == std::string::npos);
  CHECK(fingerprint(dir.file("r.db")) == "<missing>");
}

const char* kSmallConfig =
    "name: small\n"
    "seed: SEED\n"
    "space: {name: nb201, options: {width: 4, cells_per_stage: 1}}\n"
    "strategy: {name: random}\n"
    "evaluators: [{name: graph_stats}]\n"
    "objectives: [{metric: params, direction: maximize}]\n"
    "budget: {trials: TRIALS}\n";

std::string small_config(const std::string& seed, int trials) {
  std::string text = kSmallConfig;
  text.replace(text.find("SEED"), 4, seed);
  text.replace(text.find("TRIALS"), 6, std::to_string(trials));
  return text;
}

// `copies` copies of `chunk`, gzip-compressed without holding them all in memory.
std::string gzip_repeated(const std::string& chunk, int copies) {
  z_stream s{};
  REQUIRE(deflateInit2(&s, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out;
  std::string buffer(1 << 16, '\0');
  for (int i = 0; i < copies; ++i) {
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    s.avail_in = static_cast<uInt>(chunk.size());
    const int flush = i + 1 == copies ? Z_FINISH : Z_NO_FLUSH;
    int status = Z_OK;
    do {
      s.next_out = reinterpret_cast<Bytef*>(buffer.data());
      s.avail_out = static_cast<uInt>(buffer.size());
      status = deflate(&s, flush);
      out.append(buffer.data(), buffer.size() - s.avail_out);
    } while (s.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
  }
  deflateEnd(&s);
  return out;
}

std::string u32be(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// The trials of `db` as "number state candidate" lines, in number order.
std::string trial_rows(const std::string& db) {
  return run_tandem("query " + shell_quote(db) +
                    " \"SELECT number, state, candidate FROM trials ORDER BY number\" --format csv")
      .output;
}

}  // namespace

TEST_CASE("joint-space accelerator options are reported at their line in the config") {
  expect_error_at(joint_config("[8.5]", "500", "accelergy_45nm"), "8.5]", "expected an integer");
  // A bad choice that the first sampled candidate does not pick is found before the run too.
  expect_error_at(joint_config("[8, 16, 8.5]", "500", "accelergy_45nm"), "8.5]",
                  "expected an integer");
  expect_error_at(joint_config("[8]", "-500", "accelergy_45nm"), "-500", "positive number");
  expect_error_at(joint_config("[8]", "500", "nope"), "nope", "nope");
}

TEST_CASE("an unclosed quote is a YAML error at the quote, not a missing key") {
  const std::string text = "name: \"small\nseed: 1\n" + small_config("1", 2).substr(12);
  expect_error_at(text, "\"small", "never closed");
}

TEST_CASE("a config with CR line breaks runs like its LF twin") {
  TempDir dir;
  std::string text = small_config("3", 2);
  std::string cr = text;
  for (char& c : cr) c = c == '\n' ? '\r' : c;
  const std::string lf_db = dir.file("lf.db"), cr_db = dir.file("cr.db");
  REQUIRE(run_tandem("run " + shell_quote(dir.write("lf.yaml", text)) + " --quiet --db " +
                     shell_quote(lf_db)).exit_code == 0);
  const CommandResult result = run_tandem("run " + shell_quote(dir.write("cr.yaml", cr)) +
                                          " --quiet --db " + shell_quote(cr_db));
  CHECK_MESSAGE(result.exit_code == 0, result.output);
  CHECK(trial_rows(cr_db) == trial_rows(lf_db));
}

TEST_CASE("a seed of 2^64 - 1 round-trips through run, resume and the report") {
  TempDir dir;
  const std::string max = "18446744073709551615";
  const std::string db = dir.file("seed.db");
  const std::string config = dir.write("seed.yaml", small_config(max, 2));
  CommandResult run = run_tandem("run " + shell_quote(config) + " --quiet --db " + shell_quote(db));
  REQUIRE_MESSAGE(run.exit_code == 0, run.output);
  const std::string more = dir.write("more.yaml", small_config(max, 4));
  CommandResult resume =
      run_tandem("run " + shell_quote(more) + " --quiet --resume --db " + shell_quote(db));
  CHECK_MESSAGE(resume.exit_code == 0, resume.output);
  // Read back from the database (SQL shows it as -1, docs/database.md): the report's JSON.
  const std::string html = dir.file("seed.html");
  REQUIRE(run_tandem("report " + shell_quote(db) + " -o " + shell_quote(html)).exit_code == 0);
  std::ifstream in(html);
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(page.find("\"seed\":" + max) != std::string::npos);
  // The same seed from the command line gives the same trials.
  const std::string cli_db = dir.file("cli.db");
  CommandResult from_cli = run_tandem("run " + shell_quote(dir.write("zero.yaml", small_config("0", 4))) +
                                      " --quiet --seed " + max + " --db " + shell_quote(cli_db));
  CHECK_MESSAGE(from_cli.exit_code == 0, from_cli.output);
  CHECK(trial_rows(cli_db) == trial_rows(db));
  const CommandResult over = run_tandem(
      "run " + shell_quote(config) + " --seed 18446744073709551616 --db " + shell_quote(db), true);
  CHECK(over.output ==
        "tandem run: error: --seed 18446744073709551616: expected an integer in [0, "
        "18446744073709551615]\n");
}

TEST_CASE("an error quotes a 200 KB value as a short excerpt") {
  TempDir dir;
  const std::string huge(200000, '7');
  const std::string text = small_config("1", 2);
  const std::string config =
      dir.write("huge.yaml", text.substr(0, text.find("budget")) + "budget: {trials: x" + huge + "}\n");
  const CommandResult result = run_tandem("run " + shell_quote(config), true);
  CHECK(result.exit_code == 1);
  CHECK(result.lines().size() == 1);
  CHECK(result.output.size() < 400);
  CHECK(result.output.find("(200001 characters)") != std::string::npos);
  // (100 KB: one argument of a command line may not exceed 128 KiB.)
  const std::string good = dir.write("good.yaml", text);
  const CommandResult seed =
      run_tandem("run " + shell_quote(good) + " --seed " + huge.substr(0, 100000), true);
  CHECK(seed.exit_code == 1);
  CHECK(seed.output.find("(100000 characters)") != std::string::npos);
  CHECK(seed.output.size() < 400);
}

TEST_CASE("a gzip bomb in an IDX folder is refused naming the file") {
  TempDir dir;
  // Two 2x3 images announced; 64 MiB of zeros follow (64 KiB compressed).
  const std::string header = u32be(0x803) + u32be(2) + u32be(2) + u32be(3);
  const std::string labels = u32be(0x801) + u32be(2) + std::string(2, '\1');
  const std::string folder = dir.file("bomb");
  std::filesystem::create_directory(folder);
  std::ofstream(dir.file("bomb/train-images-idx3-ubyte.gz"), std::ios::binary)
      << gzip_repeated(header, 1) + gzip_repeated(std::string(1 << 20, '\0'), 64);
  dir.write("bomb/train-labels-idx1-ubyte", labels);
  dir.write("bomb/t10k-images-idx3-ubyte", header + std::string(12, '\0'));
  dir.write("bomb/t10k-labels-idx1-ubyte", labels);
  const CommandResult result =
      run_tandem("train --workload lenet --epochs 1 --dataset " + shell_quote(folder), true);
  CHECK(result.exit_code == 1);
  REQUIRE_MESSAGE(result.lines().size() == 1, result.output);
  CHECK(result.output.find(folder + "/train-images-idx3-ubyte.gz") != std::string::npos);
  CHECK(result.output.find("header announces") != std::string::npos);
}

TEST_CASE("tandem train out of memory is one line, not an internal error") {
  TempDir dir;
  // A CSV of 1 GiB once inflated (1 MiB compressed), read under a 600 MB address-space limit.
  std::string row;
  for (int i = 0; i < 64; ++i) row += "0,";
  row += "1\n";
  std::string chunk;
  while (chunk.size() < (1 << 20)) chunk += row;
  const std::string data = dir.file("big.csv.gz");
  std::ofstream(data, std::ios::binary) << gzip_repeated(chunk, 1024);
  const CommandResult result = run_tandem_limited(
      "ulimit -v 600000", "train --workload lenet --epochs 1 --threads 1 --dataset " +
                              shell_quote(data));
  CHECK(result.exit_code == 1);
  REQUIRE_MESSAGE(result.lines().size() == 1, result.output);
  CHECK(result.output.rfind("tandem train: error: out of memory while reading " + data, 0) == 0);
  CHECK(result.output.find("internal error") == std::string::npos);
}

TEST_CASE("a table evaluator listing one metric 50,000 times is refused with one line") {
  TempDir dir;
  const std::string table = dir.write("t.csv", "arch_str,acc\nA,1\n");
  std::string metrics;
  for (int i = 0; i < 50000; ++i) metrics += i ? ", acc" : "acc";
  std::string text = small_config("1", 2);
  text.replace(text.find("[{name: graph_stats}]"), 21,
               "[{name: table, options: {path: t.csv, metrics: [" + metrics + "]}}]");
  // Refused at the second item, where the repetition starts.
  expect_error_at(text, "acc", "listed twice", text.find("metrics: [acc, ") + 14);
  // 50,000 distinct objectives are read once each: the first unknown one is the error.
  std::string objectives;
  for (int i = 0; i < 50000; ++i)
    objectives += (i ? ", " : "") + std::string("{metric: m") + std::to_string(i) +
                  ", direction: maximize}";
  std::string many = small_config("1", 2);
  many.replace(many.find("[{metric: params, direction: maximize}]"), 39, "[" + objectives + "]");
  const CommandResult result =
      run_tandem("run " + shell_quote(dir.write("many.yaml", many)) + " --db " +
                     shell_quote(dir.file("m.db")),
                 true);
  CHECK(result.exit_code == 1);
  CHECK(result.lines().size() == 1);
  CHECK(result.output.find("unknown objective metric 'm0'") != std::string::npos);
}

TEST_CASE("a full disk (file size limit) is one line and loses no finished trial") {
  TempDir dir;
  const std::string db = dir.file("full.db");
  const std::string config = dir.write("full.yaml", small_config("5", 400));
  // 256 KiB: the database and its -wal journal outgrow it long before 400 trials.
  const CommandResult limited = run_tandem_limited(
      "ulimit -f 256", "run " + shell_quote(config) + " --quiet --db " + shell_quote(db));
  CHECK(limited.exit_code == 1);  // not 153 (killed by SIGXFSZ)
  REQUIRE_MESSAGE(limited.lines().size() == 1, limited.output);
  CHECK(limited.output.find("the disk is full (or the file size limit was reached)") !=
        std::string::npos);
  CHECK(limited.output.find("'" + db + "'") != std::string::npos);

  const std::string before = trial_rows(db);
  const CommandResult resumed =
      run_tandem("run " + shell_quote(config) + " --quiet --resume --db " + shell_quote(db));
  REQUIRE_MESSAGE(resumed.exit_code == 0, resumed.output);
  const std::string after = trial_rows(db);
  // Every trial finished before the limit is still there, unchanged.
  std::istringstream lines(before);
  int finished = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("COMPLETE") == std::string::npos) continue;
    ++finished;
    CHECK_MESSAGE(after.find(line + "\n") != std::string::npos, line);
  }
  CHECK(finished > 0);
  CHECK(after.find("RUNNING") == std::string::npos);
  // And the resumed run went on to finish more.
  std::size_t completed = 0;
  for (std::size_t at = after.find("COMPLETE"); at != std::string::npos;
       at = after.find("COMPLETE", at + 1))
    ++completed;
  CHECK(completed > static_cast<std::size_t>(finished));
}
