// Integers on the command line: one grammar and one error format for every command
// (experiments/cli/cli_options.hpp). Seeds are integers in [0, 2^64 - 1] in every command, so
// `predict eval --seed -3` and `proxy --seed -3` are rejected alike; a bad value is one line with
// the command's prefix printed once.
#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "experiments/cli/cli_options.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

std::string error_of(long long low, long long high, const std::string& text) {
  try {
    parse_integer_argument("--n", text, low, high);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

// How many times `needle` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

}  // namespace

TEST_CASE("the integer grammar: an optional minus and decimal digits, nothing else") {
  CHECK(parse_integer_text("0") == 0);
  CHECK(parse_integer_text("42") == 42);
  CHECK(parse_integer_text("-3") == -3);
  CHECK(parse_integer_text("007") == 7);
  CHECK(parse_integer_text("9223372036854775807") == 9223372036854775807LL);  // 2^63 - 1
  for (const char* bad : {"", "-", "+3", " 3", "3 ", "3.0", "1e3", "0x10", "3a", "--3",
                          "9223372036854775808"}) {  // the last is 2^63: beyond 64 bits
    CAPTURE(bad);
    CHECK_FALSE(parse_integer_text(bad).has_value());
  }
}

TEST_CASE("a bad integer is one message naming the option, the value and the accepted range") {
  CHECK(error_of(1, kNoUpperBound, "0") == "--n 0: expected an integer >= 1");
  CHECK(error_of(1, 4096, "5000") == "--n 5000: expected an integer in [1, 4096]");
  CHECK(error_of(0, kNoUpperBound, "x") == "--n 'x': expected an integer >= 0");
  CHECK(error_of(0, kNoUpperBound, "2.5") == "--n '2.5': expected an integer >= 0");
  CHECK(error_of(0, kNoUpperBound, "99999999999999999999") ==
        "--n 99999999999999999999: expected an integer in [0, 9223372036854775807]");
  CHECK(parse_integer_argument("--n", "4096", 1, 4096) == 4096);
}

TEST_CASE("--seed -3 is rejected alike by every command, the prefix printed once") {
  const std::string table = source_dir() + "/data/nas-bench-201/nb201_accuracy_cost.csv";
  const CommandResult predict = run_tandem(
      "predict eval --table '" + table +
          "' --space nb201 --target c10valid_val_acc_12ep --predictor ridge --train 10 --test 10 "
          "--seed -3",
      true);
  CHECK(predict.exit_code != 0);
  CHECK(predict.output == "tandem predict: error: --seed -3: expected an integer in [0, 18446744073709551615]\n");

  const CommandResult proxy = run_tandem(
      "proxy --space nb201 --arch '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|"
      "nor_conv_3x3~1|nor_conv_3x3~2|' --proxies params --seed -3",
      true);
  CHECK(proxy.exit_code != 0);
  CHECK(proxy.output == "tandem proxy: error: --seed -3: expected an integer in [0, 18446744073709551615]\n");
  CHECK(occurrences(proxy.output, "tandem proxy") == 1);

  const CommandResult word =
      run_tandem("proxy --space nb201 --arch x --proxies params --seed x", true);
  CHECK(word.output == "tandem proxy: error: --seed 'x': expected an integer in [0, 18446744073709551615]\n");
}

TEST_CASE("counts share the grammar: run --trials, trials --top") {
  TempDir dir;
  const CommandResult trials = run_tandem("run missing.yaml --trials 1.5", true);
  CHECK(trials.exit_code != 0);
  CHECK(trials.lines().size() == 1);
  CHECK(trials.output.find("--trials '1.5': expected an integer >= 1") != std::string::npos);
  const CommandResult top = run_tandem("trials '" + dir.file("none.db") + "' --top -1", true);
  CHECK(top.exit_code != 0);
  CHECK(top.output == "tandem trials: error: --top -1: expected an integer >= 0\n");
}
