// Distributed trials over MPI (`mpirun -np K tandem run CONFIG --mpi`). Rank 0 is the coordinator:
// it owns the strategy and the SQLite database (the only writer) and runs the ordinary trial loop
// with an MpiExecutor, one slot per rank 1..K-1. Those ranks run mpi_worker_loop: they build the
// same Experiment from their own copy of the config (datasets and tables are read from the paths
// in it), evaluate the candidates they receive on a separate thread, stream intermediate values
// back, send a heartbeat every few seconds while evaluating, and return results. Only the main
// thread of each rank calls MPI (MPI_THREAD_FUNNELED). Rank 0 declares a busy rank lost when it
// has heard nothing from it for the heartbeat timeout; the trial loop then marks its trial FAILED
// ("worker lost") and runs the candidate again on another rank. docs/distributed.md has the
// details, the Slurm script and what OpenMPI allows when a rank dies.
// In a build without MPI (TANDEM_WITH_MPI undefined) every entry point raises one clear error.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "experiments/runner/experiment.hpp"
#include "experiments/runner/executors/parallel_executor.hpp"

namespace tandem {

// True when this tandem was built with MPI.
bool mpi_built_in();

// MPI_Init_thread on construction, MPI_Finalize on destruction (rank 0 first tells every worker
// still listening to quit). Raises tandem::Error in a build without MPI.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Worker ranks (not rank 0) of this job on this machine, so each takes its share of the cores.
  int workers_on_this_node() const { return local_workers_; }
  // This worker rank's index among them (0..workers_on_this_node()-1), e.g. to pick its GPU.
  int worker_index_on_this_node() const { return local_worker_index_; }
  // Called by the coordinator when it is done: workers are told to quit.
  void release_workers();
  // Ranks that rank 0 gave up on ("host:pid rank N"), reported when the session ends.
  void note_lost(int rank, const std::string& worker);

 private:
  int rank_ = 0;
  int size_ = 1;
  int local_workers_ = 1;
  int local_worker_index_ = 0;
  bool released_ = false;
  std::vector<int> lost_ranks_;
  std::vector<std::string> lost_;
};

struct MpiOptions {
  double heartbeat_timeout = 60.0;  // seconds of silence before a busy rank is declared lost
};

// Rank 0's executor: waits for every worker's hello, checks that each built the same experiment
// (else one error line naming the rank), then hands out trials. Needs at least 2 ranks. Once
// `stop` asks to stop, every busy rank is asked to end its trial early. A rank whose evaluation
// raised something other than a tandem::Error (a bug) makes next() raise InternalError.
std::unique_ptr<TrialExecutor> make_mpi_executor(MpiSession& session, Experiment& experiment,
                                                 const MpiOptions& options, StopToken stop);

// Ranks 1..K-1: serve trials until rank 0 says to quit. `experiment` is null when building it
// failed on this rank; `setup_failure` then holds what was raised and is reported to rank 0 (a
// tandem::Error as an error line, anything else as an internal error). `stop` is this rank's own
// stop request (its evaluations see it through Reporter::should_stop()).
void mpi_worker_loop(MpiSession& session, Experiment* experiment, std::exception_ptr setup_failure,
                     const MpiOptions& options, StopToken stop);

}  // namespace tandem
