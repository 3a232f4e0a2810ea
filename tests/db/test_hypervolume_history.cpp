// hypervolume_history (db/trial_front.hpp): the hypervolume as the search went on, against a
// hand-computed 2-D case and against experiment_hypervolume recomputed from scratch on prefixes.
#include <doctest/doctest.h>

#include "core/rng.hpp"
#include "db/trial_front.hpp"

namespace tandem {
namespace {

TrialRecord trial(int number, TrialStatus state, double a, double b) {
  TrialRecord record;
  record.number = number;
  record.state = state;
  record.values.set("a", a);
  record.values.set("b", b);
  return record;
}

}  // namespace

TEST_CASE("hypervolume history: a hand-computed 2-D run, reference (10, 10)") {
  const std::vector<Objective> objectives = {Objective("a", true, 10.0), Objective("b", true, 10.0)};
  const std::vector<TrialRecord> trials = {
      trial(0, TrialStatus::complete, 2, 8),     // [2,10]x[8,10]: 16
      trial(1, TrialStatus::complete, 5, 5),     // + [5,10]x[5,8]: 15 -> 31
      trial(2, TrialStatus::infeasible, 1, 1),   // infeasible: not counted
      trial(3, TrialStatus::complete, 6, 6),     // dominated by (5,5)
      trial(4, TrialStatus::complete, 1, 9)};    // + [1,2]x[9,10]: 1 -> 32
  const auto history = hypervolume_history(trials, objectives, std::vector<double>{10, 10});
  REQUIRE(history.size() == 5);
  const double expected[] = {16, 31, 31, 31, 32};
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(history[i].first == static_cast<int>(i));
    CHECK(history[i].second == doctest::Approx(expected[i]));
  }
}

TEST_CASE("hypervolume history: equals the hypervolume recomputed on every checkpoint's prefix") {
  Rng rng(7);
  std::vector<TrialRecord> trials;
  for (int i = 0; i < 400; ++i) {
    TrialRecord record;
    record.number = i;
    record.state = rng.uniform() < 0.2 ? TrialStatus::infeasible : TrialStatus::complete;
    record.values.set("acc", rng.uniform() * 100);
    record.values.set("lat", rng.uniform());
    record.values.set("energy", rng.uniform() * 3);
    trials.push_back(record);
  }
  const std::vector<Objective> objectives = {Objective("acc", false), Objective("lat", true),
                                             Objective("energy", true)};
  std::vector<double> reference;  // worst observed over the whole run, fixed for the history
  REQUIRE(experiment_hypervolume(trials, objectives, std::nullopt, &reference));
  const auto history = hypervolume_history(trials, objectives, std::nullopt, 37);
  REQUIRE(history.size() == 37);
  CHECK(history.back().first == 399);
  double previous = 0;
  for (const auto& [number, volume] : history) {
    const std::vector<TrialRecord> prefix(trials.begin(), trials.begin() + number + 1);
    const auto expected = experiment_hypervolume(prefix, objectives, reference);
    REQUIRE(expected);
    CHECK(volume == doctest::Approx(*expected).epsilon(1e-12));
    CHECK(volume >= previous);
    previous = volume;
  }
}

}  // namespace tandem
