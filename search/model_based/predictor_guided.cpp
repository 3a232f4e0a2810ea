// The ask/tell bookkeeping of predictor-guided strategies (see predictor_guided.hpp).
#include "search/model_based/predictor_guided.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

std::string candidate_text(const Candidate& candidate) {
  std::string text;
  for (std::size_t i = 0; i < candidate.decisions.size(); ++i)
    text += (i ? "," : "") + std::to_string(candidate.decisions[i]);
  return text;
}

std::string list_text(const std::vector<Candidate>& candidates) {
  std::vector<std::string> parts;
  for (const auto& candidate : candidates) parts.push_back(candidate_text(candidate));
  return "[" + join(parts, " ") + "]";
}

}  // namespace

const std::vector<std::string>& PredictorGuidedOptions::keys() {
  static const std::vector<std::string> kKeys = {"num_init", "queries_per_round", "encoding",
                                                 "predictor", "predictor_options"};
  return kKeys;
}

PredictorGuidedOptions PredictorGuidedOptions::parse(const ConfigNode& options) {
  PredictorGuidedOptions out;
  out.num_init = static_cast<int>(options.get_int_in("num_init", out.num_init, 1, 1000000));
  out.queries_per_round =
      static_cast<int>(options.get_int_in("queries_per_round", out.queries_per_round, 1, 1000000));
  out.encoding =
      options.get_choice("encoding", out.encoding, {"auto", "one_hot", "adjacency", "path"});
  out.predictor = options.get_string("predictor", out.predictor);
  out.predictor_options = options.optional("predictor_options");
  try {
    predictor_registry().require(out.predictor);
  } catch (const Error& error) {
    options.at("predictor").fail(error.what());
  }
  if (out.predictor_options.present() && !out.predictor_options.is_map() &&
      !out.predictor_options.is_null())
    out.predictor_options.fail("predictor_options must be a mapping of the predictor's options");
  PredictorContext context{out.predictor_options, 0};
  predictor_registry().create(out.predictor, context);  // validates the predictor's options now
  return out;
}

PredictorGuidedSearch::PredictorGuidedSearch(std::string name, const SearchSpace& space,
                                             PredictorGuidedOptions options, Objective objective,
                                             std::uint64_t seed)
    : space_(space),
      options_(std::move(options)),
      objective_(std::move(objective)),
      rng_(seed),
      encoder_(space, resolve_encoding_kind(space, options_.encoding)),
      name_(std::move(name)) {}

std::optional<Candidate> PredictorGuidedSearch::random_unseen(const std::set<Candidate>& excluded) {
  // naszilla's generate_random_dataset draws until it has distinct architectures, with a
  // patience factor; here 100 draws per candidate (an exhausted space ends the search).
  for (int attempt = 0; attempt < 100; ++attempt) {
    Candidate candidate = space_.sample(rng_);
    if (!seen(candidate) && !excluded.count(candidate)) return candidate;
  }
  return std::nullopt;
}

std::vector<Candidate> PredictorGuidedSearch::ask(std::size_t n) {
  std::vector<Candidate> out;
  while (out.size() < n && !exhausted_) {
    if (initial_asked_ < options_.num_init) {
      std::optional<Candidate> candidate = random_unseen();
      if (!candidate) {
        exhausted_ = true;
        break;
      }
      ++initial_asked_;
      seen_.insert(*candidate);
      out.push_back(*candidate);
      pending_.push_back(*candidate);
      continue;
    }
    if (queue_.empty()) {
      if (!pending_.empty()) break;  // a round waits for every result of the previous one
      const std::size_t count = static_cast<std::size_t>(options_.queries_per_round);
      std::vector<Candidate> proposed = propose(count);
      std::set<Candidate> taken;
      for (const Candidate& candidate : proposed) {
        TANDEM_ASSERT(!seen(candidate));
        taken.insert(candidate);
      }
      while (proposed.size() < count) {
        std::optional<Candidate> extra = random_unseen(taken);
        if (!extra) break;
        taken.insert(*extra);
        proposed.push_back(*extra);
      }
      ++rounds_;
      if (proposed.empty()) {
        exhausted_ = true;
        break;
      }
      for (Candidate& candidate : proposed) {
        seen_.insert(candidate);
        queue_.push_back(std::move(candidate));
      }
    }
    out.push_back(queue_.front());
    pending_.push_back(queue_.front());
    queue_.pop_front();
  }
  return out;
}

void PredictorGuidedSearch::tell(const Candidate& candidate, const TrialResult& result) {
  auto pending = std::find(pending_.begin(), pending_.end(), candidate);
  if (pending != pending_.end()) pending_.erase(pending);
  seen_.insert(candidate);
  history_.push_back(Record{candidate, oriented_value(result, objective_)});
}

bool PredictorGuidedSearch::finished() const {
  return exhausted_ && queue_.empty();
}

std::vector<const PredictorGuidedSearch::Record*> PredictorGuidedSearch::best_first() const {
  std::vector<const Record*> out;
  for (const Record& record : history_)
    if (record.fitness) out.push_back(&record);
  std::stable_sort(out.begin(), out.end(),
                   [](const Record* a, const Record* b) { return *a->fitness > *b->fitness; });
  return out;
}

Eigen::MatrixXd PredictorGuidedSearch::encode(const std::vector<Candidate>& candidates) const {
  Eigen::MatrixXd features(static_cast<Eigen::Index>(candidates.size()),
                           static_cast<Eigen::Index>(encoder_.size()));
  for (std::size_t r = 0; r < candidates.size(); ++r) {
    const std::vector<double> row = encoder_.encode(candidates[r]);
    for (std::size_t c = 0; c < row.size(); ++c)
      features(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = row[c];
  }
  return features;
}

std::unique_ptr<Predictor> PredictorGuidedSearch::fit_predictor() {
  std::vector<Candidate> candidates;
  std::vector<double> targets;
  for (const Record& record : history_) {
    if (!record.fitness) continue;
    candidates.push_back(record.candidate);
    targets.push_back(*record.fitness);
  }
  const std::uint64_t seed = rng_.next_u64();
  PredictorContext context{options_.predictor_options, seed};
  std::unique_ptr<Predictor> predictor = predictor_registry().create(options_.predictor, context);
  if (candidates.size() < predictor->min_training_points()) return nullptr;
  predictor->fit(
      encode(candidates),
      Eigen::Map<const Eigen::VectorXd>(targets.data(), static_cast<Eigen::Index>(targets.size())));
  return predictor;
}

std::string PredictorGuidedSearch::state() const {
  std::string text =
      name_ + " rounds=" + std::to_string(rounds_) + " initial=" + std::to_string(initial_asked_) +
      " exhausted=" + (exhausted_ ? "1" : "0") + " rng=" + rng_.state() +
      " queue=" + list_text({queue_.begin(), queue_.end()}) + " pending=" + list_text(pending_);
  const std::string extra = extra_state();
  if (!extra.empty()) text += " " + extra;
  text += " history=[";
  for (std::size_t i = 0; i < history_.size(); ++i) {
    text += (i ? " " : "") + candidate_text(history_[i].candidate) + ":" +
            (history_[i].fitness ? format_number(*history_[i].fitness) : "none");
  }
  return text + "]";
}

}  // namespace tandem
