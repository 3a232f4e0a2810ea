// The `command` evaluator's protocol on its own: how a program's stdout lines are read (reports,
// log lines, malformed reports), the reply lines, and the trial document, whose network is checked
// against layer shapes and multiply-accumulates counted by hand for the NAS-Bench-201 stem.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "core/rng.hpp"
#include "experiments/evaluators/command_protocol.hpp"

using namespace tandem;

TEST_CASE("command protocol: a line with step is an intermediate report, one without is final") {
  ProgramLine step = parse_program_line(R"({"step": 3, "loss": 0.25, "accuracy": 71})");
  CHECK(step.kind == ProgramLine::Kind::intermediate);
  CHECK(step.step == 3);
  CHECK(step.values.at("loss") == 0.25);
  CHECK(step.values.at("accuracy") == 71.0);
  CHECK(step.values.size() == 2);

  ProgramLine last = parse_program_line(R"(  {"accuracy": 91.5,"latency_ms":2e-3})");
  CHECK(last.kind == ProgramLine::Kind::final);
  CHECK(last.values.at("accuracy") == 91.5);
  CHECK(last.values.at("latency_ms") == 0.002);
  // A whole number written as a float is a step too.
  CHECK(parse_program_line(R"({"step": 2.0, "x": 1})").step == 2);
}

TEST_CASE("command protocol: anything that is not a JSON object is the trial's log") {
  for (const char* text : {"epoch 1/5 done", "", "   ", "[1, 2]", "{'accuracy': 0.9}",
                           "{not json", "{\"a\": 1} trailing", "3.5"})
    CHECK_MESSAGE(parse_program_line(text).kind == ProgramLine::Kind::log, text);
}

TEST_CASE("command protocol: Python's non-finite floats and the strings nan, inf, -inf are numbers") {
  // json.dumps({"loss": float("nan")}) writes NaN, which strict JSON lacks.
  ProgramLine line = parse_program_line(R"({"loss": NaN, "up": Infinity, "down": -Infinity})");
  REQUIRE(line.kind == ProgramLine::Kind::final);
  CHECK(std::isnan(line.values.at("loss")));
  CHECK(line.values.at("up") == INFINITY);
  CHECK(line.values.at("down") == -INFINITY);
  ProgramLine strings = parse_program_line(R"({"a": "nan", "b": "inf", "c": "-inf"})");
  CHECK(std::isnan(strings.values.at("a")));
  CHECK(strings.values.at("b") == INFINITY);
  CHECK(strings.values.at("c") == -INFINITY);
  // Inside a string the words are left alone: the value is a string, so the report is malformed.
  ProgramLine quoted = parse_program_line(R"({"note": "NaN here"})");
  CHECK(quoted.kind == ProgramLine::Kind::malformed);
}

TEST_CASE("command protocol: a report with a bad step or a non-numeric value is malformed") {
  struct Case {
    const char* line;
    const char* says;
  };
  for (const Case& c : {Case{R"({"step": -1, "x": 1})", "\"step\" is -1"},
                        Case{R"({"step": 1.5, "x": 1})", "\"step\" is 1.5"},
                        Case{R"({"step": "2", "x": 1})", "\"step\" is \"2\""},
                        Case{R"({"step": 3e9, "x": 1})", "whole number in [0, 2147483647]"},
                        Case{R"({"accuracy": "high"})", "value of 'accuracy' is \"high\""},
                        Case{R"({"accuracy": true})", "value of 'accuracy' is true"},
                        Case{R"({"accuracy": null})", "value of 'accuracy' is null"},
                        Case{R"({"accuracy": [1]})", "value of 'accuracy' is [1]"},
                        Case{R"({"": 1})", "empty name"}}) {
    ProgramLine line = parse_program_line(c.line);
    CHECK_MESSAGE(line.kind == ProgramLine::Kind::malformed, c.line);
    CHECK_MESSAGE(line.problem.find(c.says) != std::string::npos, line.problem);
  }
}

TEST_CASE("command protocol: reply lines") {
  CHECK(reply_line(4, false) == R"({"step":4,"prune":false})");
  CHECK(reply_line(4, true) == R"({"step":4,"prune":true})");
  CHECK(reply_line(std::nullopt, true) == R"({"prune":true})");
}

TEST_CASE("command protocol: the trial document of an NB201 cell, its network counted by hand") {
  auto space = space_registry().create("nb201", ConfigNode());
  const std::string cell =
      "|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|nor_conv_3x3~2|";
  const Candidate candidate = space->parse(cell);
  TrialDocumentFields fields{"exp", 7, 12345, 1, "/tmp/trial-7"};
  const auto doc = nlohmann::json::parse(trial_document(*space, candidate, fields));

  CHECK(doc["protocol"] == 1);
  CHECK(doc["experiment"] == "exp");
  CHECK(doc["trial"] == 7);
  CHECK(doc["seed"] == 12345);
  CHECK(doc["worker"] == 1);
  CHECK(doc["trial_dir"] == "/tmp/trial-7");
  CHECK(doc["space"] == "nb201");
  CHECK(doc["candidate"] == cell);
  CHECK(doc["accelerator"].is_null());
  REQUIRE(doc["decisions"].size() == 6);
  CHECK(doc["decisions"][0]["choice"] == "nor_conv_3x3");
  CHECK(doc["decisions"][3]["choice"] == "none");

  const auto& network = doc["network"];
  CHECK(network["input"] == nlohmann::json::array({3, 32, 32}));
  CHECK(network["classes"] == 10);
  // The stem: a 3x3 convolution 3 -> 16 channels at 32x32: 16 * 3 * 9 * 32 * 32 MACs.
  const auto& layers = network["layers"];
  const nlohmann::json* stem = nullptr;
  for (const auto& layer : layers)
    if (layer["op"] == "conv2d") {
      stem = &layer;
      break;
    }
  REQUIRE(stem != nullptr);
  CHECK((*stem)["out_channels"] == 16);
  CHECK((*stem)["kernel"] == nlohmann::json::array({3, 3}));
  CHECK((*stem)["output"] == nlohmann::json::array({16, 32, 32}));
  CHECK((*stem)["macs"] == 16 * 3 * 9 * 32 * 32);
  CHECK((*stem)["params"] == 16 * 3 * 9);
  // The classifier: 64 features -> 10 classes with a bias.
  const auto& last = layers.back();
  CHECK(last["op"] == "linear");
  CHECK(last["out_features"] == 10);
  CHECK(last["macs"] == 640);
  CHECK(last["params"] == 650);
  // Totals are the sums over the layers, and every input names an earlier layer.
  long long macs = 0, params = 0;
  std::set<std::string> seen;
  for (const auto& layer : layers) {
    macs += layer["macs"].get<long long>();
    params += layer["params"].get<long long>();
    for (const auto& input : layer["inputs"]) CHECK(seen.count(input.get<std::string>()) == 1);
    seen.insert(layer["name"].get<std::string>());
  }
  CHECK(network["macs"] == macs);
  CHECK(network["params"] == params);
  CHECK(network["outputs"] == nlohmann::json::array({last["name"]}));
}

TEST_CASE("command protocol: a joint candidate carries its accelerator, numbers as numbers") {
  auto space = space_registry().create(
      "joint", ConfigNode::parse("network: {space: nb201}\naccelerator: {space: systolic_hw}\n",
                                 "s.yaml"));
  Rng rng(5);
  const Candidate candidate = space->sample(rng);
  const auto doc = nlohmann::json::parse(trial_document(*space, candidate, {}));
  const auto& accelerator = doc["accelerator"];
  REQUIRE(accelerator.is_object());
  CHECK(accelerator["model"] == "systolic");
  CHECK(accelerator["parameters"]["rows"].is_number_integer());
  CHECK(accelerator["text"] == space->accelerator_string(candidate));
  CHECK(doc["architecture"] == space->architecture_string(candidate));
  CHECK(doc["network"]["layers"].size() > 10);
}
