// The `command` evaluator with real programs (small python3 scripts written by each test): the
// trial document and variables they receive, their reports reaching the Reporter, the replies on
// their stdin, pruning (a program that obeys the reply, one that ignores it and is ended by
// SIGTERM), and every way a program can go wrong — a non-zero exit, a timeout (its whole process
// group is ended), garbage output, a malformed report, a missing program — each a FAILED trial
// whose reason says what happened. Config errors are one line naming the key.
#include <doctest/doctest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/error.hpp"
#include "experiments/evaluators/evaluator_registry.hpp"
#include "tests/experiments/cli_harness.hpp"

using namespace tandem;
using testing::TempDir;

namespace {

// Records every report; says stop once a report at `stop_after_step` (or later) arrived.
class RecordingReporter final : public Reporter {
 public:
  explicit RecordingReporter(TrialContext trial, int stop_after_step = -1)
      : trial_(trial), stop_after_step_(stop_after_step) {}
  TrialContext trial() const override { return trial_; }
  void report(int step, const Metrics& values) override {
    reports.emplace_back(step, values);
    if (stop_after_step_ >= 0 && step >= stop_after_step_) stop_ = true;
  }
  bool should_stop() const override { return stop_; }

  std::vector<std::pair<int, Metrics>> reports;

 private:
  TrialContext trial_;
  int stop_after_step_;
  bool stop_ = false;
};

struct Fixture {
  TempDir dir;
  std::unique_ptr<SearchSpace> space = space_registry().create("nb201", ConfigNode());
  Candidate candidate = space->parse(
      "|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|nor_conv_3x3~2|");

  // The `command` evaluator running `script` (python3 source written to script.py) with extra
  // option lines `options` (YAML, flow-style entries of the options mapping).
  std::unique_ptr<Evaluator> make(const std::string& script, const std::string& options = "") {
    dir.write("script.py", script);
    const ConfigNode node = ConfigNode::parse(
        "{command: \"python3 script.py\", grace_seconds: 0.3" +
            (options.empty() ? std::string() : ", " + options) + "}",
        dir.file("exp.yaml"));
    return evaluator_registry().create("command",
                                       EvaluatorContext{*space, node, 11, dir.file(""), "exp"});
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool process_alive(pid_t pid) { return ::kill(pid, 0) == 0; }

// True once the process whose id the script wrote to `pid_file` is gone (waits up to 2 s).
bool gone(const std::string& pid_file) {
  const pid_t pid = std::stoi(read_file(pid_file));
  for (int i = 0; i < 100 && process_alive(pid); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return !process_alive(pid);
}

}  // namespace

TEST_CASE("command evaluator: the program gets the trial, its reports and final metrics arrive") {
  Fixture f;
  auto evaluator = f.make(R"(
import json, os, sys
trial = json.load(open(os.environ["TANDEM_TRIAL_FILE"]))
assert trial["candidate"] == os.environ["TANDEM_CANDIDATE"]
assert trial["trial"] == int(os.environ["TANDEM_TRIAL_NUMBER"]) == 4
assert trial["worker"] == int(os.environ["TANDEM_WORKER_INDEX"]) == 2
assert trial["trial_dir"] == os.environ["TANDEM_TRIAL_DIR"] == os.getcwd() + "/tandem-trials/exp/trial-4"
assert str(trial["seed"]) == os.environ["TANDEM_SEED"]
assert os.environ["TANDEM_SPACE"] == "nb201" and os.environ["TANDEM_EXPERIMENT"] == "exp"
convs = sum(1 for d in trial["decisions"] if d["choice"].startswith("nor_conv"))
print("starting, %d convolutions" % convs)
replies = []
for step in (1, 2, 3):
    print(json.dumps({"step": step, "loss": 1.0 / step}))
    replies.append(json.loads(sys.stdin.readline()))
print("done")
print(json.dumps({"accuracy": 90 + convs, "macs": trial["network"]["macs"]}))
print(json.dumps({"replies": len(replies), "pruned": sum(r["prune"] for r in replies)}))
)");
  RecordingReporter reporter(TrialContext{4, 99, 2});
  const TrialResult result = evaluator->evaluate(f.candidate, reporter);
  INFO(result.reason);
  REQUIRE(result.status == TrialStatus::complete);
  CHECK(result.metrics.at("accuracy") == 93.0);  // three nor_conv edges
  CHECK(result.metrics.at("macs") == doctest::Approx(
                                         static_cast<double>(f.space->to_graph(f.candidate).total_macs())));
  CHECK(result.metrics.at("replies") == 3.0);
  CHECK(result.metrics.at("pruned") == 0.0);
  REQUIRE(reporter.reports.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(reporter.reports[i].first == i + 1);
    CHECK(reporter.reports[i].second.at("loss") == doctest::Approx(1.0 / (i + 1)));
  }
  // The log lines and the trial document are kept in the trial's folder.
  const std::string folder = f.dir.file("tandem-trials/exp/trial-4");
  const std::string log = read_file(folder + "/stdout.log");
  CHECK(log.find("starting, 3 convolutions\n") != std::string::npos);
  CHECK(log.find("done\n") != std::string::npos);
  CHECK(std::filesystem::exists(folder + "/trial.json"));
}

TEST_CASE("command evaluator: the same candidate gets the same seed, another candidate another") {
  Fixture f;
  auto evaluator = f.make(R"(
import json, os
print(json.dumps({"seed": int(os.environ["TANDEM_SEED"])}))
)");
  RecordingReporter first(TrialContext{0, 1, 0}), second(TrialContext{1, 2, 0}),
      other(TrialContext{2, 3, 0});
  const double a = evaluator->evaluate(f.candidate, first).metrics.at("seed");
  const double b = evaluator->evaluate(f.candidate, second).metrics.at("seed");
  Candidate changed = f.candidate;
  changed.decisions[0] = (changed.decisions[0] + 1) % 5;
  const double c = evaluator->evaluate(changed, other).metrics.at("seed");
  CHECK(a == b);
  CHECK(a != c);
  CHECK(a >= 0);
  CHECK(a < 2147483648.0);  // fits every framework's seed argument
}

TEST_CASE("command evaluator: a pruned trial is told on stdin and stops, one that ignores it is ended") {
  Fixture f;
  SUBCASE("the program reads the reply and stops itself") {
    auto evaluator = f.make(R"(
import json, sys
for step in range(1, 100):
    print(json.dumps({"step": step, "accuracy": step}))
    if json.loads(sys.stdin.readline())["prune"]:
        print(json.dumps({"accuracy": step, "stopped_at": step}))
        sys.exit(0)
print(json.dumps({"accuracy": 100}))
)");
    RecordingReporter reporter(TrialContext{0, 1, 0}, 2);
    const TrialResult result = evaluator->evaluate(f.candidate, reporter);
    CHECK(result.status == TrialStatus::pruned);
    CHECK(result.reason == "pruned: stopped after step 2");
    CHECK(result.metrics.at("stopped_at") == 2.0);
    CHECK(reporter.reports.size() == 2);
  }
  SUBCASE("the program ignores replies: SIGTERM to its group after the grace period") {
    auto evaluator = f.make(R"(
import json, os, subprocess, time
child = subprocess.Popen(["sleep", "300"])
open("grandchild.pid", "w").write(str(child.pid))
for step in range(1, 4):
    print(json.dumps({"step": step, "loss": 1}))
time.sleep(300)
)");
    RecordingReporter reporter(TrialContext{0, 1, 0}, 1);
    const auto started = std::chrono::steady_clock::now();
    const TrialResult result = evaluator->evaluate(f.candidate, reporter);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    CHECK(result.status == TrialStatus::pruned);
    CHECK(result.reason == "pruned: stopped after step 3");
    CHECK(seconds < 60);  // far below the 300 s the program would sleep
    CHECK(gone(f.dir.file("grandchild.pid")));  // what the program started went with it
  }
}

TEST_CASE("command evaluator: a non-zero exit is FAILED, quoting the end of stderr") {
  Fixture f;
  auto evaluator = f.make(R"(
import sys
print("epoch 1")
sys.stderr.write("Traceback (most recent call last):\n  File train.py\nValueError: bad shape\n")
sys.exit(3)
)");
  RecordingReporter reporter(TrialContext{5, 1, 0});
  const TrialResult result = evaluator->evaluate(f.candidate, reporter);
  CHECK(result.status == TrialStatus::failed);
  CHECK(result.reason.find("command 'python3 script.py' exited with status 3") == 0);
  CHECK(result.reason.find("stderr ends: Traceback (most recent call last): | File train.py | "
                           "ValueError: bad shape") != std::string::npos);
  CHECK(result.reason.find('\n') == std::string::npos);
  CHECK(read_file(f.dir.file("tandem-trials/exp/trial-5/stderr.log")).find("bad shape") !=
        std::string::npos);
}

TEST_CASE("command evaluator: a program killed by a signal is FAILED naming the signal") {
  Fixture f;
  auto evaluator = f.make("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n");
  RecordingReporter reporter(TrialContext{0, 1, 0});
  const TrialResult result = evaluator->evaluate(f.candidate, reporter);
  CHECK(result.status == TrialStatus::failed);
  // Killed directly, or through the shell that ran it (status 128 + 9).
  INFO(result.reason);
  CHECK((result.reason.find("was killed by signal 9 (SIGKILL)") != std::string::npos ||
         result.reason.find("exited with status 137 (killed by signal 9, SIGKILL)") !=
             std::string::npos));
}

TEST_CASE("command evaluator: a program that hangs times out and its whole group is ended") {
  Fixture f;
  auto evaluator = f.make(R"(
import json, subprocess, time
child = subprocess.Popen(["sleep", "300"])
open("grandchild.pid", "w").write(str(child.pid))
print(json.dumps({"step": 0, "loss": 1}))
time.sleep(300)
)",
                          "timeout_seconds: 1");
  RecordingReporter reporter(TrialContext{0, 1, 0});
  const TrialResult result = evaluator->evaluate(f.candidate, reporter);
  CHECK(result.status == TrialStatus::failed);
  CHECK(result.reason.find("timed out after 1 s") != std::string::npos);
  CHECK(gone(f.dir.file("grandchild.pid")));
}

TEST_CASE("command evaluator: garbage output and malformed reports are FAILED") {
  Fixture f;
  SUBCASE("no final metrics") {
    auto evaluator = f.make("print('hello')\nprint('{oops')\n");
    RecordingReporter reporter(TrialContext{0, 1, 0});
    const TrialResult result = evaluator->evaluate(f.candidate, reporter);
    CHECK(result.status == TrialStatus::failed);
    CHECK(result.reason.find("exited without reporting final metrics") != std::string::npos);
    CHECK(result.reason.find("stdout ends: hello | {oops") != std::string::npos);
  }
  SUBCASE("a report whose value is not a number") {
    auto evaluator = f.make(
        "import time\nprint('{\"step\": 1, \"loss\": 0.5}')\nprint('{\"accuracy\": \"high\"}')\n"
        "time.sleep(300)\n");
    RecordingReporter reporter(TrialContext{0, 1, 0});
    const TrialResult result = evaluator->evaluate(f.candidate, reporter);
    CHECK(result.status == TrialStatus::failed);
    CHECK(result.reason ==
          "command 'python3 script.py' printed a malformed report, stdout line 2: value of "
          "'accuracy' is \"high\": expected a number (or \"nan\", \"inf\", \"-inf\")");
  }
  SUBCASE("a declared metric is missing") {
    auto evaluator = f.make("print('{\"loss\": 0.5}')\n", "metrics: [accuracy]");
    CHECK(evaluator->metric_names() == std::vector<std::string>{"accuracy"});
    RecordingReporter reporter(TrialContext{0, 1, 0});
    const TrialResult result = evaluator->evaluate(f.candidate, reporter);
    CHECK(result.status == TrialStatus::failed);
    CHECK(result.reason.find("did not report 'accuracy'") != std::string::npos);
  }
}

TEST_CASE("command evaluator: a program that does not exist is FAILED with the shell's reason") {
  Fixture f;
  f.dir.write("script.py", "");
  for (const char* command : {"\"no-such-program-xyz --flag\"", "[no-such-program-xyz, --flag]"}) {
    const ConfigNode node = ConfigNode::parse(std::string("{command: ") + command + "}", "e.yaml");
    auto evaluator = evaluator_registry().create(
        "command", EvaluatorContext{*f.space, node, 0, f.dir.file(""), "exp"});
    RecordingReporter reporter(TrialContext{0, 1, 0});
    const TrialResult result = evaluator->evaluate(f.candidate, reporter);
    CHECK(result.status == TrialStatus::failed);
    CHECK(result.reason.find("exited with status 127") != std::string::npos);
    CHECK(result.reason.find("no-such-program-xyz") != std::string::npos);
    CHECK(result.reason.find("not found") != std::string::npos);
  }
}

TEST_CASE("command evaluator: env and worker_env set each worker's variables") {
  Fixture f;
  auto evaluator = f.make(R"(
import json, os
print(json.dumps({"gpu": int(os.environ["CUDA_VISIBLE_DEVICES"]), "fixed": int(os.environ["FIXED"])}))
)",
                          "env: {FIXED: 42}, worker_env: {CUDA_VISIBLE_DEVICES: [\"5\", \"7\"]}");
  for (int worker : {0, 1, 2, 3}) {
    RecordingReporter reporter(TrialContext{worker, 1, worker});
    const TrialResult result = evaluator->evaluate(f.candidate, reporter);
    REQUIRE_MESSAGE(result.status == TrialStatus::complete, result.reason);
    CHECK(result.metrics.at("gpu") == (worker % 2 == 0 ? 5.0 : 7.0));
    CHECK(result.metrics.at("fixed") == 42.0);
  }
}

TEST_CASE("command evaluator: bad options are one line naming the key") {
  Fixture f;
  struct Case {
    const char* options;
    const char* says;
  };
  for (const Case& c :
       {Case{"{}", "command"}, Case{"{command: \"  \"}", "command is empty"},
        Case{"{command: []}", "expected a program and its arguments"},
        Case{"{command: x, timeout_seconds: -1}", "timeout_seconds -1: expected a number of seconds"},
        Case{"{command: x, env: [A]}", "env: expected a mapping"},
        Case{"{command: x, env: {1A: b}}", "'1A' is not a variable name"},
        Case{"{command: x, worker_env: {GPU: 0}}", "worker_env: expected a non-empty list"},
        Case{"{command: x, comand: y}", "comand"}}) {
    const ConfigNode node = ConfigNode::parse(c.options, "exp.yaml");
    try {
      evaluator_registry().create("command", EvaluatorContext{*f.space, node, 0, "", "exp"});
      FAIL("accepted " << c.options);
    } catch (const Error& error) {
      const std::string message = error.what();
      CHECK_MESSAGE(message.find(c.says) != std::string::npos, message);
      CHECK_MESSAGE(message.find("exp.yaml:") == 0, message);
      CHECK(message.find('\n') == std::string::npos);
    }
  }
}
