// `tandem hw eval|models` through the real executable: output columns, the total row, the three
// formats, and one-line errors for bad input (unknown model, negative parameter, malformed
// LAYERS.csv row with file:line, unseen lookup-table layer).
#include <doctest/doctest.h>

#include "tests/experiments/cli_harness.hpp"

using namespace tandem::testing;

namespace {
std::string data(const std::string& name) { return source_dir() + "/data/hwmodels/" + name; }
bool starts_with_columns(const std::string& header) {
  return header.rfind("name,macs,compute_cycles,stall_cycles,total_cycles,utilization", 0) == 0 &&
         header.find("energy_pj") != std::string::npos &&
         header.find("dram_read_bytes,dram_write_bytes,sram_read_bytes,sram_write_bytes") !=
             std::string::npos;
}
}  // namespace

TEST_CASE("hw cli: eval LAYERS.csv on a systolic array, csv output with a total row") {
  TempDir dir;
  const std::string acc = dir.write(
      "acc.yaml", "model: systolic\nrows: 4\ncols: 4\ndataflow: os\ndram_bytes_per_cycle: 0\n");
  const std::string layers = dir.write("layers.csv",
                                       "name,type,n,c,h,w,m,r,s,stride,pad,groups\n"
                                       "fc1,fc,5,10,1,1,6,1,1,1,0,1\n");
  CommandResult r = run_tandem("hw eval --accelerator '" + acc + "' --layers '" + layers +
                               "' --format csv");
  REQUIRE(r.exit_code == 0);
  const auto lines = r.lines();
  REQUIRE(lines.size() == 3);
  CHECK(starts_with_columns(lines[0]));
  // OS 4x4, P=5 K=10 M=6: 2 x 2 folds of 16 cycles - 1 = 63 (see tests/hwmodels).
  CHECK(lines[1].rfind("fc1,300,63,0,63,", 0) == 0);
  CHECK(lines[2].rfind("total,300,63,0,63,", 0) == 0);
}

TEST_CASE("hw cli: eval a space candidate on Eyeriss, table and json formats, models") {
  CommandResult r = run_tandem(
      "hw eval --accelerator '" + data("eyeriss_v1.yaml") +
      "' --space nb201 --arch '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|"
      "skip_connect~1|skip_connect~2|'");
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("latency_ms: ") != std::string::npos);
  CHECK(r.output.find("feasible: yes") != std::string::npos);
  r = run_tandem("hw eval --accelerator '" + data("roofline_titan_rtx.yaml") + "' --layers '" +
                 data("example_layers.csv") + "' --format json");
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("\"name\": \"total\"") != std::string::npos);
  r = run_tandem("hw models");
  REQUIRE(r.exit_code == 0);
  for (const char* model : {"systolic", "eyeriss", "roofline", "heterogeneous", "lookup_table"})
    CHECK(r.output.find(std::string(model) + ":") != std::string::npos);
  CHECK(r.output.find("dram_bytes_per_cycle") != std::string::npos);
}

TEST_CASE("hw cli: bad input gives one clear line and exit code 1") {
  TempDir dir;
  const std::string layers = data("example_layers.csv");
  auto one_line_error = [](const CommandResult& r, const std::string& needle) {
    CHECK(r.exit_code == 1);
    CHECK(r.lines().size() == 1);
    CHECK(r.output.find(needle) != std::string::npos);
  };
  one_line_error(run_tandem("hw eval --accelerator '" + dir.write("a.yaml", "model: systolc\n") +
                            "' --layers '" + layers + "'"),
                 "a.yaml:1:8: 'model': unknown cost model 'systolc' (did you mean 'systolic'?)");
  one_line_error(run_tandem("hw eval --accelerator '" +
                            dir.write("b.yaml", "model: systolic\nrows: -8\n") + "' --layers '" +
                            layers + "'"),
                 "b.yaml:2:7: 'rows': got -8");
  one_line_error(run_tandem("hw eval --accelerator '" + dir.write("c.yaml", "rows: 8\n") +
                            "' --layers '" + layers + "'"),
                 "missing required key 'model'");
  const std::string bad = dir.write("bad.csv",
                                    "name,type,n,c,h,w,m,r,s,stride,pad,groups\n"
                                    "ok,conv,1,3,8,8,4,3,3,1,1,1\n"
                                    "broken,conv,1,3,8,8,4,3,3,1,one,1\n");
  one_line_error(run_tandem("hw eval --accelerator '" + data("systolic_32x32_ws.yaml") +
                            "' --layers '" + bad + "'"),
                 "bad.csv:3: column 'pad': expected an integer, got 'one'");
  const std::string lut = dir.write("lut.yaml", "model: lookup_table\ntable: '" +
                                                    data("lookup_example.csv") + "'\n");
  one_line_error(run_tandem("hw eval --accelerator '" + lut + "' --layers '" + layers + "'"),
                 "has no entry for layer 'reduce'");
  one_line_error(run_tandem("hw eval --accelerator '" + data("eyeriss_v1.yaml") + "'"),
                 "give one of --layers");
}

TEST_CASE("hw cli: the co-design example runs with tandem run") {
  TempDir dir;
  CommandResult r = run_tandem("run '" + source_dir() +
                               "/experiments/examples/codesign_nb201_systolic.yaml' --db '" +
                               dir.file("c.db") + "' --trials 12 --quiet");
  CHECK(r.exit_code == 0);
  r = run_tandem("trials '" + dir.file("c.db") + "' --format csv");
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("latency_ms") != std::string::npos);
  CHECK(r.lines().size() == 13);  // header + 12 trials
}
