// MonotoneConstraints against hand-made observations: what a pair of evaluations teaches (growth,
// no effect, a shrink, an irrelevant dataflow, a network-free constraint), and which candidates
// it then predicts to violate the limit; it never predicts without evidence. Also the pattern
// move of the accelerator climb and Constraint::usage.
#include <doctest/doctest.h>

#include "core/constraint.hpp"
#include "search/multi_objective/accelerator_moves.hpp"
#include "search/multi_objective/monotone_constraints.hpp"
#include "spaces/joint_space.hpp"
#include "spaces/systolic_hw_space.hpp"
#include "tests/search/toy_space.hpp"

using namespace tandem;
using namespace tandem::testing;

namespace {

// One network decision (values 0..2), then rows {8, 16, 32} (numeric, index order 0 1 2),
// dataflow {os, ws} (not numeric), SRAM {64, 32} KB (numeric, listed in descending order: its
// ascending order is index 1 then index 0).
const std::vector<std::vector<int>> kOrdered = {{0, 1, 2}, {}, {1, 0}};

Candidate at(int network, int rows, int dataflow, int sram) {
  return Candidate{{network, rows, dataflow, sram}};
}

std::vector<double> area(double value) { return {value}; }
const std::vector<bool> kFits = {false}, kOver = {true};

}  // namespace

TEST_CASE("monotone constraints: nothing is predicted before the data shows monotonicity") {
  MonotoneConstraints model(1, kOrdered, 1);
  model.observe(at(0, 2, 0, 1), area(3.0), kOver);  // 32 rows: over the limit
  // A bigger array on the same network, but no pair has shown rows to matter yet.
  CHECK_FALSE(model.predicts_violation(at(0, 2, 0, 0)));
  CHECK(model.parameter_effect(0, 0) == 0);
  CHECK(model.observations() == 1);
}

TEST_CASE("monotone constraints: a parameter seen growing the usage predicts larger settings") {
  MonotoneConstraints model(1, kOrdered, 1);
  model.observe(at(0, 0, 0, 1), area(1.0), kFits);
  model.observe(at(0, 1, 0, 1), area(2.0), kFits);  // rows 8 -> 16: area grows
  CHECK(model.parameter_effect(0, 0) == 1);
  model.observe(at(0, 2, 0, 1), area(4.0), kOver);  // rows 32 violates
  // More SRAM on the violating array: SRAM has not been seen to matter, so no prediction.
  CHECK_FALSE(model.predicts_violation(at(0, 2, 0, 0)));
  model.observe(at(0, 0, 0, 0), area(1.5), kFits);  // SRAM 32 -> 64 KB grows it too
  CHECK(model.parameter_effect(0, 2) == 1);
  CHECK(model.predicts_violation(at(0, 2, 0, 0)));        // rows 32 and more SRAM
  CHECK_FALSE(model.predicts_violation(at(0, 1, 0, 0)));  // fewer rows: no evidence
  // Another dataflow or another network: not known to leave the area alone.
  CHECK_FALSE(model.predicts_violation(at(0, 2, 1, 1)));
  CHECK_FALSE(model.predicts_violation(at(1, 2, 0, 1)));
}

TEST_CASE("monotone constraints: irrelevant dataflows and network-free constraints widen the inference") {
  MonotoneConstraints model(1, kOrdered, 1);
  model.observe(at(0, 2, 0, 1), area(4.0), kOver);
  model.observe(at(0, 2, 1, 1), area(4.0), kOver);  // the dataflow leaves the area as it is
  CHECK(model.parameter_effect(0, 1) == 1);
  model.observe(at(2, 2, 1, 1), area(4.0), kOver);  // so does the network
  CHECK(model.network_effect(0) == 1);
  model.observe(at(0, 1, 0, 1), area(2.0), kFits);
  CHECK(model.parameter_effect(0, 0) == 1);
  CHECK(model.predicts_violation(at(1, 2, 0, 1)));  // another network, another dataflow's record
  CHECK(model.predicts_violation(at(1, 2, 1, 1)));
  CHECK_FALSE(model.predicts_violation(at(1, 1, 1, 1)));
}

TEST_CASE("monotone constraints: a shrink or a difference withdraws the inference for good") {
  MonotoneConstraints model(1, kOrdered, 1);
  model.observe(at(0, 0, 0, 1), area(1.0), kFits);
  model.observe(at(0, 1, 0, 1), area(2.0), kFits);
  model.observe(at(0, 2, 0, 1), area(4.0), kOver);
  model.observe(at(0, 2, 1, 1), area(4.0), kOver);
  CHECK(model.predicts_violation(at(0, 2, 1, 1)) == true);  // evaluated: contains itself
  // Elsewhere rows shrink the usage (not monotone after all): no more predictions through rows.
  model.observe(at(0, 0, 1, 1), area(5.0), kOver);
  model.observe(at(0, 1, 1, 1), area(3.0), kOver);
  CHECK(model.parameter_effect(0, 0) == -1);
  CHECK_FALSE(model.predicts_violation(at(0, 2, 1, 0)));
  // The dataflow changed the usage for 8 rows: no longer irrelevant.
  CHECK(model.parameter_effect(0, 1) == -1);
  // A network that changes the usage on one accelerator: the constraint depends on it.
  model.observe(at(1, 0, 1, 1), area(6.0), kOver);
  CHECK(model.network_effect(0) == -1);
}

TEST_CASE("monotone constraints: unknown usages teach nothing and violations count per constraint") {
  MonotoneConstraints model(1, kOrdered, 2);
  model.observe(at(0, 0, 0, 1), {1.0, NAN}, {false, false});
  model.observe(at(0, 1, 0, 1), {2.0, NAN}, {false, true});  // violates the second constraint
  CHECK(model.parameter_effect(0, 0) == 1);
  CHECK(model.parameter_effect(1, 0) == 0);
  CHECK_FALSE(model.predicts_violation(at(0, 2, 0, 1)));  // constraint 1's growth is unknown
}

TEST_CASE("accelerator pattern move repeats the last improving step") {
  ConfigNode options = ConfigNode::parse(
      "{rows: [8, 16, 32, 64], cols: [8, 16, 32, 64], dataflow: [os, ws], ifmap_sram_kb: [32, 64],"
      " filter_sram_kb: 32, ofmap_sram_kb: 32, dram_bytes_per_cycle: 32}",
      "accelerator.yaml");
  JointSpace space(std::make_unique<ToySpace>(2, 3), create_systolic_hw_space(options));
  AcceleratorMoves moves(space, 2);
  auto pair = [&](const std::string& acc) {
    return space.parse("1-2 @ " + acc +
                       " ifmap_sram_kb=32 filter_sram_kb=32 ofmap_sram_kb=32 dram_bytes_per_cycle=32");
  };
  // rows 8 -> 16: next 32.
  CHECK(moves.pattern(pair("rows=8 cols=8 dataflow=os"), pair("rows=16 cols=8 dataflow=os")) ==
        pair("rows=32 cols=8 dataflow=os"));
  // An exchange rows x2, cols /2: once more.
  CHECK(moves.pattern(pair("rows=8 cols=64 dataflow=os"), pair("rows=16 cols=32 dataflow=os")) ==
        pair("rows=32 cols=16 dataflow=os"));
  // A jump of two steps, repeated, leaves the range; a dataflow change has no direction.
  CHECK_FALSE(moves.pattern(pair("rows=8 cols=8 dataflow=os"), pair("rows=32 cols=8 dataflow=os")));
  CHECK_FALSE(moves.pattern(pair("rows=8 cols=8 dataflow=os"), pair("rows=8 cols=8 dataflow=ws")));
  CHECK_FALSE(moves.pattern(pair("rows=8 cols=8 dataflow=os"), pair("rows=8 cols=8 dataflow=os")));
}

TEST_CASE("constraint usage: larger is tighter, for both directions of a limit") {
  ConfigNode node = ConfigNode::parse("x", "c.yaml");
  Metrics metrics;
  metrics.set("area", 1.5);
  CHECK(*Constraint::parse("area <= 2", node).usage(metrics) == doctest::Approx(1.5));
  CHECK(*Constraint::parse("area < 2", node).usage(metrics) == doctest::Approx(1.5));
  CHECK(*Constraint::parse("area >= 1", node).usage(metrics) == doctest::Approx(-1.5));
  CHECK(*Constraint::parse("area > 1", node).usage(metrics) == doctest::Approx(-1.5));
  CHECK_FALSE(Constraint::parse("area == 1.5", node).usage(metrics));
  CHECK_FALSE(Constraint::parse("power <= 1", node).usage(metrics));
}
