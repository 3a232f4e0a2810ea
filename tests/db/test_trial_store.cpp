// Tests for the TrialStore API on real files: experiments, trial numbering, final and
// intermediate values (NaN and infinities included), strategy states, failing running trials,
// heartbeats.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <regex>

#include "core/error.hpp"
#include "db/trial_store.hpp"
#include "tests/db/db_test_support.hpp"

using namespace tandem;
using tandem::test::RawConnection;
using tandem::test::TempDir;

namespace {
const double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

TEST_CASE("a new file gets the current schema, and experiments are created and found by name") {
  TempDir dir;
  TrialStore store(dir.file("trials.db"));
  CHECK(store.schema_version() == TrialStore::current_schema_version());
  CHECK(TrialStore::current_schema_version() == 6);
  CHECK(store.path() == dir.file("trials.db"));

  std::int64_t a = store.create_experiment("alpha", "search: random\n", 42);
  std::int64_t b = store.create_experiment("beta", "", 18446744073709551615ull);
  CHECK(a != b);

  auto found = store.find_experiment("alpha");
  REQUIRE(found);
  CHECK(found->id == a);
  CHECK(found->config_text == "search: random\n");
  CHECK(found->seed == 42);
  CHECK(found->status == "running");
  // UTC ISO 8601 with milliseconds.
  CHECK(std::regex_match(found->created, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  CHECK(store.find_experiment("beta")->seed == 18446744073709551615ull);  // full uint64 range
  CHECK_FALSE(store.find_experiment("gamma"));

  auto all = store.experiments();
  REQUIRE(all.size() == 2);
  CHECK(all[0].name == "alpha");
  CHECK(all[1].name == "beta");

  CHECK_THROWS_WITH_AS(store.create_experiment("alpha", "", 1),
                       doctest::Contains("experiment 'alpha' already exists"), Error);
  CHECK(store.experiments().size() == 2);

  store.set_experiment_status(a, "finished");
  CHECK(store.find_experiment("alpha")->status == "finished");
  CHECK_THROWS_WITH_AS(store.set_experiment_status(a, "done"),
                       doctest::Contains("accepted: running, finished, interrupted"), Error);
  CHECK_THROWS_WITH_AS(store.set_experiment_status(999, "finished"),
                       doctest::Contains("no experiment with id 999"), Error);
}

TEST_CASE("trials are numbered 0, 1, 2, ... per experiment and finish with their values") {
  TempDir dir;
  TrialStore store(dir.file("trials.db"));
  auto a = store.create_experiment("a", "", 1);
  auto b = store.create_experiment("b", "", 2);

  auto t0 = store.start_trial(a, "nb201", "|conv3x3|", "", "host:1");
  auto t1 = store.start_trial(a, "nb201", "|skip|", "pe=16", "host:2");
  auto u0 = store.start_trial(b, "nb201", "|none|", "", "host:1");
  CHECK(t0.number == 0);
  CHECK(t1.number == 1);
  CHECK(u0.number == 0);  // numbering is per experiment
  CHECK(t0.state == TrialStatus::running);
  CHECK(t0.finished.empty());
  CHECK_FALSE(t0.started.empty());

  Metrics metrics;
  metrics.set("accuracy", 0.9375);
  metrics.set("latency_ms", 1.25);
  store.finish_trial(t0.id, TrialResult::complete(metrics));
  store.finish_trial(t1.id, TrialResult::infeasible("area 12 mm2 exceeds 10 mm2"));

  auto trials = store.trials(a);
  REQUIRE(trials.size() == 2);
  CHECK(trials[0].number == 0);
  CHECK(trials[0].state == TrialStatus::complete);
  CHECK(trials[0].values == metrics);
  CHECK(trials[0].candidate == "|conv3x3|");
  CHECK(trials[0].space == "nb201");
  CHECK(trials[0].worker == "host:1");
  CHECK_FALSE(trials[0].finished.empty());
  CHECK(trials[0].finished >= trials[0].started);  // ISO 8601 sorts as text
  CHECK(trials[1].state == TrialStatus::infeasible);
  CHECK(trials[1].reason == "area 12 mm2 exceeds 10 mm2");
  CHECK(trials[1].accelerator == "pe=16");
  CHECK(trials[1].values.empty());

  auto one = store.trial(a, 0);
  REQUIRE(one);
  CHECK(one->id == t0.id);
  CHECK(one->values.at("latency_ms") == 1.25);
  CHECK_FALSE(store.trial(a, 7));

  auto next = store.start_trial(a, "nb201", "|x|", "", "");
  CHECK(next.number == 2);

  CHECK_THROWS_WITH_AS(store.start_trial(12345, "s", "c", "", ""),
                       doctest::Contains("no experiment with id 12345"), Error);
  CHECK_THROWS_WITH_AS(store.finish_trial(next.id, TrialResult{TrialStatus::running, {}, ""}),
                       doctest::Contains("cannot finish in state RUNNING"), Error);
  CHECK_THROWS_WITH_AS(store.finish_trial(99999, TrialResult::complete({})),
                       doctest::Contains("no trial with id 99999"), Error);
}

TEST_CASE("NaN and infinities round-trip exactly and are stored as NULL with a kind") {
  TempDir dir;
  std::string path = dir.file("trials.db");
  std::int64_t trial_id = 0;
  {
    TrialStore store(path);
    auto e = store.create_experiment("e", "", 1);
    auto t = store.start_trial(e, "s", "c", "", "");
    trial_id = t.id;
    Metrics metrics;
    metrics.set("nan", kNaN);
    metrics.set("pos", kInf);
    metrics.set("neg", -kInf);
    metrics.set("tiny", 5e-324);  // smallest subnormal
    metrics.set("third", 1.0 / 3.0);
    metrics.set("big", 1.7976931348623157e308);
    store.finish_trial(t.id, TrialResult::pruned("loss is NaN", metrics));
  }
  TrialStore reopened(path);
  auto trial = reopened.trial(reopened.find_experiment("e")->id, 0);
  REQUIRE(trial);
  CHECK(std::isnan(trial->values.at("nan")));
  CHECK(trial->values.at("pos") == kInf);
  CHECK(trial->values.at("neg") == -kInf);
  CHECK(trial->values.at("tiny") == 5e-324);
  CHECK(trial->values.at("third") == 1.0 / 3.0);
  CHECK(trial->values.at("big") == 1.7976931348623157e308);
  CHECK(trial->state == TrialStatus::pruned);

  RawConnection raw(path);
  std::string id = std::to_string(trial_id);
  CHECK(raw.scalar("SELECT value FROM trial_values WHERE name = 'nan'") == "NULL");
  CHECK(raw.scalar("SELECT value_kind FROM trial_values WHERE name = 'nan'") == "nan");
  CHECK(raw.scalar("SELECT value FROM trial_values WHERE name = 'pos'") == "NULL");
  CHECK(raw.scalar("SELECT value_kind FROM trial_values WHERE name = 'pos'") == "inf");
  CHECK(raw.scalar("SELECT value_kind FROM trial_values WHERE name = 'neg'") == "-inf");
  CHECK(raw.scalar("SELECT value_kind FROM trial_values WHERE name = 'third'") == "finite");
  CHECK(raw.scalar("SELECT count(*) FROM trial_values WHERE trial_id = " + id) == "6");
}

TEST_CASE("intermediate values are logged per step and come back in step order") {
  TempDir dir;
  TrialStore store(dir.file("trials.db"));
  auto e = store.create_experiment("e", "", 1);
  auto t = store.start_trial(e, "s", "c", "", "");
  for (int step : {2, 0, 1}) {
    Metrics values;
    values.set("val_accuracy", 0.5 + 0.125 * step);
    values.set("loss", step == 2 ? kNaN : 2.0 - step);
    store.log_intermediate(t.id, step, values);
  }
  auto curve = store.intermediate_values(t.id);
  REQUIRE(curve.size() == 6);
  // Ordered by step, then name.
  CHECK(curve[0].step == 0);
  CHECK(curve[0].name == "loss");
  CHECK(curve[0].value == 2.0);
  CHECK(curve[1].name == "val_accuracy");
  CHECK(curve[1].value == 0.5);
  CHECK(curve[3].value == 0.625);
  CHECK(curve[4].step == 2);
  CHECK(std::isnan(curve[4].value));
  CHECK(curve[5].value == 0.75);

  Metrics again;
  again.set("loss", 0.1);
  CHECK_THROWS_WITH_AS(store.log_intermediate(t.id, 1, again),
                       doctest::Contains("already has 'loss' at step 1"), Error);
  CHECK(store.intermediate_values(t.id).size() == 6);

  store.finish_trial(t.id, TrialResult::complete({}));
  CHECK_THROWS_WITH_AS(store.log_intermediate(t.id, 3, again),
                       doctest::Contains("only be logged while a trial runs"), Error);
  CHECK(store.intermediate_values(t.id).size() == 6);
}

TEST_CASE("a trial started with logged values stores them with it, all or nothing") {
  // A weight-sharing search's log lands with trial #0 in the start transaction: the kill harness
  // found a GDAS log cut between its epochs by a kill, which no resume could complete.
  TempDir dir;
  TrialStore store(dir.file("trials.db"));
  auto e = store.create_experiment("e", "", 1);
  Metrics epoch, result;
  epoch.set("search/train_loss", 2.25);
  result.set("derived/count", 1);
  auto t = store.start_trial(e, "s", "c", "", "", TrialOrigin{}, {{1, epoch}, {2, epoch}, {0, result}});
  auto stored = store.intermediate_values(t.id);
  REQUIRE(stored.size() == 3);
  CHECK(stored[0].step == 0);
  CHECK(stored[0].value == 1.0);
  CHECK(stored[2].step == 2);
  CHECK(stored[2].value == 2.25);
  // a log that cannot be stored (a step twice) leaves no trial behind, not a trial with half a log
  CHECK_THROWS_WITH_AS(
      store.start_trial(e, "s", "c", "", "", TrialOrigin{}, {{1, epoch}, {1, epoch}}),
      doctest::Contains("already has 'search/train_loss' at step 1"), Error);
  CHECK(store.trials(e).size() == 1);
}

TEST_CASE("strategy states round-trip byte for byte and the latest finished one is returned") {
  TempDir dir;
  TrialStore store(dir.file("trials.db"));
  auto e = store.create_experiment("e", "", 1);
  auto other = store.create_experiment("other", "", 1);
  CHECK_FALSE(store.latest_strategy_state(e));

  std::string binary("rng\0state\xff\x01 population=[3,1,2]", 31);
  auto t0 = store.start_trial(e, "s", "a", "", "");
  auto t1 = store.start_trial(e, "s", "b", "", "");
  auto t2 = store.start_trial(e, "s", "c", "", "");
  auto u0 = store.start_trial(other, "s", "d", "", "");
  // Finish out of start order: "latest" means latest finished, not highest number.
  store.finish_trial(t1.id, TrialResult::complete({}), std::string("after t1"));
  store.finish_trial(t0.id, TrialResult::complete({}), binary);
  store.finish_trial(t2.id, TrialResult::failed("out of memory"));  // no state stored
  store.finish_trial(u0.id, TrialResult::complete({}), std::string("other experiment"));

  CHECK(store.strategy_state(t0.id) == binary);
  CHECK(store.strategy_state(t0.id)->size() == 31);
  CHECK(store.strategy_state(t1.id) == std::string("after t1"));
  CHECK_FALSE(store.strategy_state(t2.id));
  CHECK(store.latest_strategy_state(e) == binary);
  CHECK(store.latest_strategy_state(other) == std::string("other experiment"));

  auto t3 = store.start_trial(e, "s", "e", "", "");
  store.finish_trial(t3.id, TrialResult::complete({}), std::string());  // empty but present
  CHECK(store.strategy_state(t3.id) == std::string());
  CHECK(store.latest_strategy_state(e) == std::string());
}

TEST_CASE("fail_running_trials marks only that experiment's RUNNING trials FAILED") {
  TempDir dir;
  TrialStore store(dir.file("trials.db"));
  auto e = store.create_experiment("e", "", 1);
  auto other = store.create_experiment("other", "", 1);
  auto done = store.start_trial(e, "s", "a", "", "");
  store.finish_trial(done.id, TrialResult::complete({}));
  store.start_trial(e, "s", "b", "", "");
  store.start_trial(e, "s", "c", "", "");
  store.start_trial(other, "s", "d", "", "");

  CHECK(store.fail_running_trials(e, "interrupted: the run was killed") == 2);
  auto trials = store.trials(e);
  CHECK(trials[0].state == TrialStatus::complete);
  CHECK(trials[0].reason.empty());
  for (int i : {1, 2}) {
    CHECK(trials[i].state == TrialStatus::failed);
    CHECK(trials[i].reason == "interrupted: the run was killed");
    CHECK(trials[i].cause == FailureCause::interrupted);
    CHECK_FALSE(trials[i].finished.empty());
  }
  CHECK(store.trials(other)[0].state == TrialStatus::running);
  CHECK(store.fail_running_trials(e, "again") == 0);
  // Failed trials are finished, hence immutable.
  CHECK_THROWS_AS(store.finish_trial(trials[1].id, TrialResult::complete({})), Error);
}

TEST_CASE("heartbeats keep one row per worker with the latest time") {
  TempDir dir;
  std::string path = dir.file("trials.db");
  TrialStore store(path);
  auto e = store.create_experiment("e", "", 1);
  store.heartbeat(e, "host:1");
  store.heartbeat(e, "host:2");
  store.heartbeat(e, "host:1");
  RawConnection raw(path);
  CHECK(raw.scalar("SELECT count(*) FROM heartbeats") == "2");
  CHECK(std::regex_match(raw.scalar("SELECT last_seen FROM heartbeats WHERE worker = 'host:1'"),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  CHECK_THROWS_WITH_AS(store.heartbeat(77, "w"), doctest::Contains("no experiment with id 77"),
                       Error);
}

TEST_CASE("metric names must be non-empty") {
  TempDir dir;
  TrialStore store(dir.file("trials.db"));
  auto e = store.create_experiment("e", "", 1);
  auto t = store.start_trial(e, "s", "c", "", "");
  Metrics bad;
  bad.set("", 1.0);
  CHECK_THROWS_WITH_AS(store.finish_trial(t.id, TrialResult::complete(bad)),
                       doctest::Contains("metric names must be non-empty"), Error);
  CHECK(store.trial(e, 0)->state == TrialStatus::running);  // nothing half-written
}
