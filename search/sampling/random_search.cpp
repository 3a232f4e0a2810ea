// Random search (see random_search.hpp).
#include "search/sampling/random_search.hpp"

namespace tandem {

RandomSearch::RandomSearch(const SearchSpace& space, std::uint64_t seed)
    : space_(space), rng_(seed) {}

std::vector<Candidate> RandomSearch::ask(std::size_t n) {
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(space_.sample(rng_));
  asked_ += n;
  return out;
}

std::string RandomSearch::state() const {
  return "random asked=" + std::to_string(asked_) + " told=" + std::to_string(told_) +
         " rng=" + rng_.state();
}

void register_random_search(StrategyRegistry& registry) {
  registry.add("random", "black-box", "uniform random sampling of every decision (no options)",
               [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
                 context.options.check_keys({});
                 return std::make_unique<RandomSearch>(context.space, context.seed);
               });
}

}  // namespace tandem
