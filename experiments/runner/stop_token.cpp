// The SIGINT/SIGTERM stop source (see stop_token.hpp).
#include "experiments/runner/stop_token.hpp"

#include <csignal>

namespace tandem {
namespace {

StopSource g_signal_stop;  // constant-initialized: safe to touch from a signal handler

extern "C" void on_stop_signal(int signal_number) {
  g_signal_stop.request_stop();          // one relaxed store to a lock-free atomic
  std::signal(signal_number, SIG_DFL);   // a second signal ends the process at once
}

}  // namespace

StopSource& signal_stop_source() { return g_signal_stop; }

void install_stop_handlers() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

}  // namespace tandem
