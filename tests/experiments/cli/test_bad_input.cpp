// Every bad input to the CLI gives one clear line on stderr, a non-zero exit, and leaves the
// database exactly as it was (or never creates it).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "tests/experiments/cli_harness.hpp"

using namespace tandem::testing;

namespace {

const char* kGoodConfig =
    "name: good\n"
    "seed: 1\n"
    "space: {name: nb201, options: {width: 4, cells_per_stage: 1}}\n"
    "strategy: {name: random}\n"
    "evaluators: [{name: graph_stats}]\n"
    "objectives: [{metric: params, direction: maximize}]\n"
    "budget: {trials: 5}\n";

// Runs `tandem ARGS`, expects failure with exactly one line on stderr containing `expected`.
void expect_one_line_error(const std::string& args, const std::string& expected) {
  CommandResult result = run_tandem(args, /*stderr_only=*/true);
  CHECK_MESSAGE(result.exit_code != 0, args);
  auto lines = result.lines();
  REQUIRE_MESSAGE(lines.size() == 1, "tandem " << args << " printed:\n" << result.output);
  CHECK_MESSAGE(lines[0].find(expected) != std::string::npos,
                "expected '" << expected << "' in: " << lines[0]);
}

// A bad config must not touch an existing database.
void expect_config_rejected(const std::string& config_text, const std::string& expected) {
  TempDir dir;
  std::string db = dir.file("results.db");
  std::string good = dir.write("good.yaml", kGoodConfig);
  REQUIRE(run_tandem("run '" + good + "' --db '" + db + "' --quiet").exit_code == 0);
  std::string before = fingerprint(db);
  std::string bad = dir.write("bad.yaml", config_text);
  expect_one_line_error("run '" + bad + "' --db '" + db + "' --quiet", expected);
  CHECK(fingerprint(db) == before);
  std::string fresh = dir.file("fresh.db");
  expect_one_line_error("run '" + bad + "' --db '" + fresh + "' --quiet", expected);
  CHECK(fingerprint(fresh) == "<missing>");
}

std::string with_line(const std::string& from, const std::string& to) {
  std::string text = kGoodConfig;
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("malformed YAML") {
  expect_config_rejected("name: x\nspace: {name: nb201\n", "bad.yaml:");
}

TEST_CASE("unknown key, with position and suggestion") {
  expect_config_rejected(with_line("seed: 1\n", "sede: 1\n"),
                         "bad.yaml:2:1: unknown key 'sede' at the top level (did you mean 'seed'?)");
}

TEST_CASE("wrong type") {
  expect_config_rejected(with_line("budget: {trials: 5}", "budget: {trials: five}"),
                         "bad.yaml:7:18: 'budget.trials': expected an integer, got 'five'");
}

TEST_CASE("unknown space and unknown strategy") {
  expect_config_rejected(with_line("name: nb201,", "name: nb210,"),
                         "unknown search space 'nb210' (did you mean 'nb201'?)");
  expect_config_rejected(with_line("{name: random}", "{name: evolution}"),
                         "unknown search strategy 'evolution'");
}

TEST_CASE("unknown objective metric and malformed constraint") {
  expect_config_rejected(with_line("metric: params", "metric: accuracy"),
                         "unknown objective metric 'accuracy'");
  expect_config_rejected(with_line("budget:", "constraints: [\"params << 3\"]\nbudget:"),
                         "malformed constraint");
}

TEST_CASE("a metric twice as objective, a key twice, a second document") {
  expect_config_rejected(
      with_line("objectives: [{metric: params, direction: maximize}]",
                "objectives: [{metric: params, direction: maximize}, "
                "{metric: params, direction: minimize}]"),
      "bad.yaml:6:62: 'objectives[1].metric': metric 'params' is already objective 1");
  expect_config_rejected(with_line("seed: 1", "seed: 1\nseed: 2"),
                         "bad.yaml:3:1: key 'seed' appears twice in one mapping (first at line 2)");
  expect_config_rejected(std::string(kGoodConfig) + "---\nname: other\n",
                         "bad.yaml:9:1: a second YAML document");
}

TEST_CASE("malformed candidate string") {
  expect_one_line_error("spaces nb201 --arch '|nor_conv_3x3~0|+|bogus~0|'", "position");
}

TEST_CASE("unwritable database location") {
  TempDir dir;
  std::string good = dir.write("good.yaml", kGoodConfig);
  expect_one_line_error("run '" + good + "' --db /nonexistent-folder/results.db --quiet",
                        "/nonexistent-folder/results.db");
}

TEST_CASE("a file that is not an SQLite database is left untouched") {
  TempDir dir;
  std::string good = dir.write("good.yaml", kGoodConfig);
  std::string notes = dir.write("notes.db", "these are my notes, not a database\n");
  std::string before = fingerprint(notes);
  expect_one_line_error("run '" + good + "' --db '" + notes + "' --quiet", notes);
  CHECK(fingerprint(notes) == before);
  expect_one_line_error("trials '" + notes + "'", notes);
  CHECK(fingerprint(notes) == before);
}

TEST_CASE("an existing experiment is not overwritten without --resume") {
  TempDir dir;
  std::string good = dir.write("good.yaml", kGoodConfig);
  std::string db = dir.file("results.db");
  REQUIRE(run_tandem("run '" + good + "' --db '" + db + "' --quiet").exit_code == 0);
  std::string before = fingerprint(db);
  expect_one_line_error("run '" + good + "' --db '" + db + "' --quiet",
                        "experiment 'good' already exists");
  CHECK(fingerprint(db) == before);
  // Resuming with a different configuration is refused too.
  std::string changed = dir.write("changed.yaml", with_line("seed: 1", "seed: 2"));
  expect_one_line_error("run '" + changed + "' --db '" + db + "' --quiet --resume",
                        "cannot resume experiment 'good'");
  CHECK(fingerprint(db) == before);
}

TEST_CASE("query is read-only - bad command-line values are one line") {
  TempDir dir;
  std::string good = dir.write("good.yaml", kGoodConfig);
  std::string db = dir.file("results.db");
  REQUIRE(run_tandem("run '" + good + "' --db '" + db + "' --quiet").exit_code == 0);
  std::string before = fingerprint(db);
  expect_one_line_error("query '" + db + "' 'DELETE FROM trials'", "read-only");
  CHECK(fingerprint(db) == before);
  const std::string select = "query '" + db + "' 'SELECT 1'";
  expect_one_line_error(select + " --timeout 0", "--timeout 0: expected seconds in (0, 86400]");
  expect_one_line_error(select + " --timeout -3", "--timeout -3: expected seconds in (0, 86400]");
  expect_one_line_error(select + " --timeout nan",
                        "--timeout 'nan': expected seconds in (0, 86400]");
  expect_one_line_error(select + " --timeout 90000",
                        "--timeout 90000: expected seconds in (0, 86400]");
  expect_one_line_error(select + " --timeout soon",
                        "--timeout 'soon': expected seconds in (0, 86400]");
  expect_one_line_error(select + " --timeout ' 5'", "--timeout ' 5': expected seconds");
  expect_one_line_error(select + " --max-mb 0", "--max-mb 0: expected an integer in [1, 4096]");
  expect_one_line_error(select + " --max-mb 5000", "--max-mb 5000: expected an integer in [1, 4096]");
  // Every real-number option names itself when its value is not a number.
  expect_one_line_error("train --workload lenet --dataset digits --lr fast",
                        "--lr 'fast': expected a number");
  expect_one_line_error("train --workload lenet --dataset digits --validation 0x1p-2",
                        "--validation '0x1p-2': expected a number");
  CHECK(fingerprint(db) == before);
  expect_one_line_error("trials '" + db + "' --format xml", "unknown output format 'xml'");
  expect_one_line_error("show '" + db + "' 99", "has no trial #99");
  expect_one_line_error("run '" + good + "' --db '" + db + "' --trials 0", "--trials 0");
  expect_one_line_error("frobnicate", "unknown command 'frobnicate'");
  expect_one_line_error("run", "missing argument CONFIG");
}

TEST_CASE("a weight-sharing search with a bad dataset or path writes nothing and names the key") {
  const std::string digits = source_dir() + "/data/uci-digits/digits.csv.gz";
  auto darts = [&](const std::string& data_lines) {
    return "name: darts-check\n"
           "seed: 0\n"
           "space: {name: nb201}\n"
           "strategy:\n"
           "  name: darts\n"
           "  options:\n" +
           data_lines +
           "    epochs: 1\n"
           "    max_samples: 128\n"
           "    batch_size: 64\n"
           "    width: 4\n"
           "    cells_per_stage: 1\n"
           "evaluators: [{name: graph_stats}]\n"
           "objectives: [{metric: params, direction: maximize}]\n"
           "budget: {trials: 1}\n";
  };
  expect_config_rejected(darts("    dataset: digitz\n"),
                         "bad.yaml:7:14: 'strategy.options.dataset': unknown dataset 'digitz' "
                         "(did you mean 'digits'?)");
  expect_config_rejected(darts("    dataset: digits\n    path: /nonexistent/digits.csv.gz\n"),
                         "bad.yaml:8:11: 'strategy.options.path': /nonexistent/digits.csv.gz: "
                         "cannot open the file");
  // The fixed config then runs in the same database: nothing of the bad runs was left in it.
  TempDir dir;
  std::string db = dir.file("runs.db");
  std::string bad = dir.write("bad.yaml", darts("    dataset: digits\n    path: /nonexistent/d.csv\n"));
  expect_one_line_error("run '" + bad + "' --db '" + db + "' --quiet", "'strategy.options.path'");
  std::string fixed =
      dir.write("fixed.yaml", darts("    dataset: digits\n    path: " + digits + "\n"));
  auto result = run_tandem("run '" + fixed + "' --db '" + db + "' --quiet");
  CHECK_MESSAGE(result.exit_code == 0, result.output);
}

TEST_CASE("a CSV label outside the declared classes is one line naming the file and line") {
  TempDir dir;
  std::string csv = dir.write("labels.csv", "1,2,0\n3,4,1\n5,6,2\n");
  expect_one_line_error("train --space mlp --arch 64:relu --dataset '" + csv + "' --classes 2",
                        csv + ":3: label 2 is outside 0..1 (classes = 2)");
  // The train evaluator's `classes` option: the config error names the dataset key.
  std::string config = with_line("evaluators: [{name: graph_stats}]",
                                 "evaluators: [{name: train, options: {dataset: " + csv +
                                     ", classes: 2}}]");
  config = config.substr(0, config.find("objectives:")) +
           "objectives: [{metric: accuracy, direction: maximize}]\nbudget: {trials: 1}\n";
  expect_config_rejected(config, "'evaluators[0].options.dataset': " + csv +
                                     ":3: label 2 is outside 0..1 (classes = 2)");
}

TEST_CASE("relative paths in a config are taken from its folder - a copied config runs anywhere") {
  // A project folder elsewhere: configs/exp.yaml and data/uci-digits/digits.csv.gz beside it,
  // run from a third folder. `database:` and the named dataset resolve from the config's folder.
  TempDir dir;
  namespace fs = std::filesystem;
  fs::create_directories(dir.file("project/configs"));
  fs::create_directories(dir.file("project/data/uci-digits"));
  fs::create_directories(dir.file("elsewhere"));
  fs::copy_file(source_dir() + "/data/uci-digits/digits.csv.gz",
                dir.file("project/data/uci-digits/digits.csv.gz"));
  std::string config = dir.write("project/configs/exp.yaml",
                                 "name: moved\n"
                                 "space: {name: mlp}\n"
                                 "strategy: {name: random}\n"
                                 "evaluators: [{name: train, options: {dataset: digits, epochs: 1, "
                                 "batch_size: 256}}]\n"
                                 "objectives: [{metric: accuracy, direction: maximize}]\n"
                                 "budget: {trials: 1}\n"
                                 "database: ../results/runs.db\n");
  fs::create_directories(dir.file("project/results"));
  const std::string command = "cd " + shell_quote(dir.file("elsewhere")) + " && env -u TANDEM_DATA " +
                              shell_quote(tandem_binary()) + " run ../project/configs/exp.yaml --quiet 2>&1";
  CHECK(std::system(command.c_str()) == 0);
  CHECK(fs::exists(dir.file("project/results/runs.db")));
  CHECK_FALSE(fs::exists(dir.file("results/runs.db")));  // not from the current folder
  CHECK_FALSE(fs::exists(dir.file("elsewhere/runs.db")));
}
