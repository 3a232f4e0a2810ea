// Progress line for long runs: done/total, best so far, rate and ETA. On a terminal it redraws one
// line (at most 10 times a second); elsewhere (logs, CI) it prints a plain line at each 10% of the
// budget (at most one a second) or every 10 seconds, and a final line.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace tandem {

class Progress {
 public:
  // total_trials 0 = unknown; seconds_budget 0 = none.
  Progress(std::FILE* out, long long total_trials, double seconds_budget, bool enabled);
  void update(long long done, const std::string& best);
  void finish(long long done, const std::string& best);

 private:
  std::string line(long long done, const std::string& best) const;
  std::FILE* out_;
  long long total_;
  double seconds_budget_;
  bool enabled_;
  bool terminal_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  long long last_done_printed_ = -1;
  bool drew_ = false;
};

}  // namespace tandem
