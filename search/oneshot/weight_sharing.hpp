// The base of every weight-sharing search (DARTS family, ProxylessNAS, SPOS, few-shot): a Strategy
// that keeps the ask/tell contract while it trains a supernet.
//
//   * Options: WeightSharingOptions, read from the strategy's `options` by
//     read_weight_sharing_options() (data, splits, batch, epochs, SGD for the weights w, Adam for
//     the architecture parameters, network width, threads); methods add their own keys.
//   * The first ask() runs the method's supernet phases (run_search(), on the data loaded through
//     trainers/ and the Supernet built from space.supernet()), recording one log entry per epoch
//     with record_epoch(); then ask() hands out the derived candidate(s), in order, like any other
//     strategy's proposals. finished() is true once all of them are handed out.
//   * The log reaches the database through the trial loop (strategies never write to it):
//     take_search_log() gives it once, and the loop stores it as intermediate values of the first
//     trial started from that ask — steps 1..E: "alpha/<key>/<op>" (softmax), "beta/<key>/<i>",
//     "search/train_loss", "search/valid_accuracy", ... ; step 0: the search result
//     ("derived/count", "derived/<i>/<decision>" = value index). `tandem show` prints it as a
//     trajectory table.
//   * Resume: restore_search(log) rebuilds the derived candidates from the stored step 0, so a
//     resumed run replays its asks without re-running a finished search.
//
// Adding a method: derive from WeightSharingStrategy (or DifferentiableSearch in search/oneshot/darts/darts.hpp
// for DARTS-style α/w alternation), implement run_search(), register it by name.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "search/strategy.hpp"
#include "trainers/augment.hpp"
#include "trainers/dataset.hpp"
#include "trainers/optimizer.hpp"
#include "trainers/supernet.hpp"

namespace tandem {

// Settings shared by the weight-sharing methods. Defaults are the official code's values
// (quark0/darts cnn/train_search.py; on the nb201 space AutoDL's configs/nas-benchmark/algos/
// DARTS.config — see weight_sharing_defaults()). CI configs scale epochs and data down.
struct WeightSharingOptions {
  // data
  std::string dataset = "digits";  // a trainers/ dataset name or path (official runs: cifar10)
  std::string path;                // where a named dataset's files are ("" = default folders)
  int resolution = 0;              // resize images to this size (0 = the dataset's own)
  double train_portion = 0.5;      // first fraction of the training set trains w, the rest α
  int max_samples = 0;             // use only the first N training samples (0 = all)
  int batch_size = 64;
  int epochs = 50;
  AugmentOptions augment{4, true};  // random crop (pad 4) + flip on both splits, as the code
  bool normalize = true;            // per-channel mean/std of the w split
  // weights w: SGD, cosine from lr to lr_min over the epochs (stepped per epoch), grad clipping
  double lr = 0.025;
  double lr_min = 0.001;
  double momentum = 0.9;
  bool nesterov = false;
  double weight_decay = 3e-4;
  double grad_clip = 5.0;  // 0 = none
  // architecture parameters α (and β): Adam with L2 weight decay
  double arch_lr = 3e-4;
  double arch_beta1 = 0.5;
  double arch_beta2 = 0.999;
  double arch_weight_decay = 1e-3;
  // supernet
  int width = 0;            // C (0 = the space's search-network default: 16)
  int cells_per_stage = 0;  // N (0 = the space's default: NB201 5, DARTS 2 -> 8 cells)
  double width_multiplier = 0.0;
  bool track_running_stats = true;  // BN running statistics in the search network
  int threads = 0;                  // 0 = the process's thread count
};

// The optimizers the options describe: SGD for the weights w, Adam (L2 weight decay) for α / β.
SgdOptions weight_sgd_options(const WeightSharingOptions& options);
AdamOptions architecture_adam_options(const WeightSharingOptions& options);

// The official defaults for `space`: quark0/darts for every space, except nb201 where AutoDL's
// DARTS.config applies (SGD nesterov, weight decay 5e-4).
WeightSharingOptions weight_sharing_defaults(const SearchSpace& space);
// The keys read_weight_sharing_options() accepts (methods add theirs before check_keys).
const std::vector<std::string>& weight_sharing_option_keys();
// Parses and validates the shared keys of `node` (not check_keys: the caller does that with the
// method's keys added). Errors name the key, the bad value and the accepted range.
WeightSharingOptions read_weight_sharing_options(const ConfigNode& node,
                                                 WeightSharingOptions defaults);
// `node.check_keys(shared keys + extra)`.
void check_weight_sharing_keys(const ConfigNode& node, const std::vector<std::string>& extra);

// The two splits of a weight-sharing search: the training set split by index (no shuffle, as
// train_search.py): samples [0, portion N) train w, [portion N, N) train α.
struct SearchData {
  Dataset weights;
  Dataset architecture;
  Normalization normalization;  // from the w split (identity when normalize is off)
};
SearchData load_search_data(const WeightSharingOptions& options, const std::string& config_dir);

// Batches drawn from a dataset in a seeded shuffled order that is reshuffled after every pass
// (PyTorch's SubsetRandomSampler), normalised and augmented. The last batch of a pass may be
// smaller (drop_last=False).
class BatchStream {
 public:
  BatchStream(const Dataset& data, const Normalization& normalization, int batch_size,
              AugmentOptions augment, Rng rng);
  struct Batch {
    Tensor images;
    std::vector<int> labels;
  };
  Batch next();
  std::int64_t batches_per_pass() const;

 private:
  const Dataset& data_;
  const Normalization& normalization_;
  std::size_t batch_size_;
  AugmentOptions augment_;
  Rng rng_;
  std::vector<std::size_t> order_;
  std::size_t position_ = 0;
};

struct SupernetEvaluation {
  double loss = 0.0;
  double accuracy = 0.0;  // fraction in [0, 1]
};
// Mean cross-entropy and accuracy of `supernet` (eval-mode BN, current mode and α) on `data`.
SupernetEvaluation evaluate_supernet(Supernet& supernet, const Dataset& data,
                                     const Normalization& normalization, int batch_size = 256);

// The supernet's architecture parameters as log values: "alpha/<key>/<op>" = softmax over the
// key's candidates, "beta/<key>/<i>" = softmax of an edge-normalisation group, and
// "search/skip_none_mass" (mean softmax mass of none + skip_connect over the keys that have
// them), "search/skip_mass" and "search/none_mass" (each alone), and "search/skip_none_argmax"
// (fraction of those keys whose argmax is one of them).
Metrics architecture_values(Supernet& supernet);

class WeightSharingStrategy : public Strategy {
 public:
  std::vector<Candidate> ask(std::size_t n) final;
  void tell(const Candidate& candidate, const TrialResult& result) override;
  bool finished() const override;
  std::string state() const override;
  std::vector<SearchLogEntry> take_search_log() override;
  bool restore_search(const std::vector<SearchLogEntry>& log) override;

  // For tests and reports: the full log (step 0 last) once the search ran.
  const std::vector<SearchLogEntry>& search_log() const { return log_; }
  const std::vector<Candidate>& derived() const { return derived_; }
  bool searched() const { return searched_; }

 protected:
  WeightSharingStrategy(const StrategyContext& context, std::string method,
                        WeightSharingOptions options);

  // The method: train the supernet, record_epoch() once per epoch, return the derived
  // candidate(s) (at least one, each valid in the space). Called once, by the first ask().
  virtual std::vector<Candidate> run_search() = 0;

  const SearchSpace& space() const { return space_; }
  const WeightSharingOptions& options() const { return options_; }
  std::uint64_t seed() const { return seed_; }
  const std::string& method() const { return method_; }
  // The splits, loaded by the constructor.
  const SearchData& data();
  // Graph options of the supernet: the dataset's input shape and classes, the width options.
  GraphOptions supernet_graph_options();
  // space.supernet(supernet_graph_options()).
  SupernetDescription supernet_description();
  // A Supernet with a seed derived from the strategy seed and the configured threads.
  std::unique_ptr<Supernet> make_supernet(const SupernetDescription& description,
                                          std::uint64_t stream = 0);
  // A BatchStream over `data` with a seed derived from the strategy seed and `stream`.
  BatchStream batches(const Dataset& data, std::uint64_t stream);
  int threads() const;

  // Appends the values of `epoch` (1-based) to the log.
  void record_epoch(int epoch, Metrics values);

 private:
  const SearchSpace& space_;
  std::string method_;
  WeightSharingOptions options_;
  std::uint64_t seed_;
  std::string config_dir_;
  std::optional<SearchData> data_;
  bool searched_ = false;
  std::vector<Candidate> derived_;
  std::size_t handed_ = 0;
  std::size_t told_ = 0;
  std::vector<SearchLogEntry> log_;
  bool log_taken_ = false;
};

}  // namespace tandem
