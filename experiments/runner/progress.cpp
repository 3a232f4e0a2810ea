// Progress line (see progress.hpp).
#include "experiments/runner/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace tandem {
namespace {

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  long long s = static_cast<long long>(seconds + 0.5);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  return buffer;
}

}  // namespace

Progress::Progress(std::FILE* out, long long total_trials, double seconds_budget, bool enabled)
    : out_(out),
      total_(total_trials),
      seconds_budget_(seconds_budget),
      enabled_(enabled),
      terminal_(isatty(fileno(out)) != 0),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

std::string Progress::line(long long done, const std::string& best) const {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = elapsed > 0 ? done / elapsed : 0.0;
  double eta = NAN;
  if (total_ > 0 && rate > 0) eta = (total_ - done) / rate;
  if (seconds_budget_ > 0) eta = std::isnan(eta) ? seconds_budget_ - elapsed
                                                 : std::min(eta, seconds_budget_ - elapsed);
  char buffer[160];
  std::string count = total_ > 0 ? std::to_string(done) + "/" + std::to_string(total_)
                                  : std::to_string(done);
  std::snprintf(buffer, sizeof buffer, "[%s] %.1f trials/s, elapsed %s, ETA %s", count.c_str(),
                rate, clock_text(elapsed).c_str(), clock_text(eta).c_str());
  std::string text = buffer;
  if (!best.empty()) text += ", best " + best;
  return text;
}

void Progress::update(long long done, const std::string& best) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_print_).count();
  if (terminal_) {
    if (since < 0.1) return;
    std::fprintf(out_, "\r\033[K%s", line(done, best).c_str());
    std::fflush(out_);
    drew_ = true;
  } else {
    long long step = total_ > 0 ? std::max<long long>(1, total_ / 10) : 0;
    bool milestone = step > 0 && done / step != last_done_printed_ / step;
    if (!(milestone && since >= 1.0) && since < 10.0) return;
    std::fprintf(out_, "%s\n", line(done, best).c_str());
    last_done_printed_ = done;
  }
  last_print_ = now;
}

void Progress::finish(long long done, const std::string& best) {
  if (!enabled_) return;
  if (terminal_) {
    std::fprintf(out_, "\r\033[K%s\n", line(done, best).c_str());
  } else if (done != last_done_printed_) {
    std::fprintf(out_, "%s\n", line(done, best).c_str());
  }
  std::fflush(out_);
  (void)drew_;
}

}  // namespace tandem
