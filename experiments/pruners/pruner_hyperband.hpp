// Hyperband's bracket arithmetic as Optuna's HyperbandPruner does it
// (optuna/pruners/_hyperband.py; Li et al. 2018, JMLR 18(185)), exposed for tests.
#pragma once

#include <string>
#include <vector>

namespace tandem {

// Trial allocation budget of each bracket b = 0..n-1 with n = floor(log_eta(max / min)) + 1
// brackets (computed exactly with integers: the largest s with min * eta^s <= max, plus one):
// budget_b = ceil(n * eta^s / (s + 1)) with s = n - 1 - b.
std::vector<int> hyperband_budgets(int min_resource, int max_resource, int reduction_factor);

// The bracket of the trial with ask index `number` (PrunerTrial::ask_index):
// crc32("<experiment>_<number>") mod the total budget, walked through the budgets (Optuna's
// _get_bracket_id with the study name = the experiment name and the trial number = the ask index).
int hyperband_bracket(const std::string& experiment, int number, const std::vector<int>& budgets);

}  // namespace tandem
