// Few-shot NAS: split the supernet into sub-supernets that each keep a part of one edge's ops,
// train them on, run a base method on each and pick the best derived architecture.
//   * fewshot_gm: GM-NAS (Hu et al., ICLR 2022; skhu101/GM-NAS WS-GM/nasbench201/train_search.py,
//     WS-GM/sota/cnn/train_search_ws.py): at every split epoch each current supernet measures the
//     gradient-matching distance matrix of each unsplit edge (search/oneshot/fewshot/gradient_matching.hpp), cuts
//     its ops into two groups, splits along the edge with the best score (largest cut on NB201,
//     smallest within-group distance on the DARTS space, whose normal-cell edges only are split),
//     and is replaced by two children that inherit it (search/oneshot/fewshot/fewshot_supernet.hpp). After
//     the last split the leaves train on to the total epochs; each derives its architecture with
//     the base method and the best by the sub-supernet's validation accuracy is handed out (§8.6;
//     or all of them, best first, with hand_out: all).
//   * fewshot_exhaustive: Few-shot NAS (Zhao et al., ICML 2021): the same schedule, but a split
//     gives one sub-supernet per op of the split edge (GM-NAS --split_crit fewshot), the edge
//     chosen without gradients (first unsplit edge, a random one, or a named key).
// Schedule (GM-NAS): `epochs` in total; `split_epochs` lists when every supernet splits
// (NB201 README: 15, 30 of 60); α frozen before `arch_start_epoch` (GM-NAS warmup_epoch; with
// restart the last split epoch); `restart: final` re-initialises the children of the last split
// (GM-NAS `--restart final`), `fix_schedule` gives restarted children a cosine over the remaining
// epochs only.
#pragma once

#include <string>
#include <vector>

#include "search/oneshot/fewshot/fewshot_supernet.hpp"
#include "search/oneshot/fewshot/gradient_matching.hpp"

namespace tandem {

struct FewShotOptions {
  FewShotBase base;
  bool exhaustive = false;
  std::vector<int> split_epochs = {15, 30};
  std::string split_edge = "grad";  // grad (GM-NAS) | first | random | an alpha key
  GradientMatchingOptions matching;
  PartitionMethod partition = PartitionMethod::min_cut;
  EdgeScore edge_score = EdgeScore::cut;
  std::string edge_prefix;         // only keys starting with it are split ("normal/" on darts)
  std::string restart = "none";    // none | final | all
  bool fix_schedule = false;
  int arch_start_epoch = 0;
  std::string hand_out = "best";   // best | all
};

// GM-NAS defaults for `space` and `base` (darts | spos | proxyless): 60 epochs, splits at 15 and
// 30, gradient edge choice; DARTS space: normal-cell edges, within-group score, hard = false.
FewShotOptions fewshot_defaults(const SearchSpace& space, const std::string& base, bool exhaustive);
// The few-shot keys plus every base method's keys.
std::vector<std::string> fewshot_option_keys(const std::string& base);
FewShotOptions read_fewshot_options(const ConfigNode& node, const SearchSpace& space,
                                    bool exhaustive, const std::string& config_dir);

class FewShot final : public WeightSharingStrategy {
 public:
  FewShot(const StrategyContext& context, FewShotOptions options);

  // For tests: the leaves' restrictions after the search, in hand-out order.
  const std::vector<std::string>& leaf_descriptions() const { return leaves_; }

 protected:
  std::vector<Candidate> run_search() override;

 private:
  FewShotOptions fewshot_;
  std::vector<std::string> leaves_;
};

void register_fewshot(StrategyRegistry& registry);

}  // namespace tandem
