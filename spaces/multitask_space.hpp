// "multitask": NASAIC-style multi-task co-exploration (Yang et al., DAC 2020) — one network space
// per task and, optionally, one accelerator space that runs every task's network. A candidate
// holds each task's decisions (names prefixed "T.") followed by the accelerator's ("hw."); its
// text is
//   "<task1 network> ; <task2 network> ; ... @ <accelerator>"      (no " @ ..." without one)
// Options: {tasks: [{name: T, space: NAME, options: {...}}, ...],
//           accelerator: {space: NAME, options: {...}}}            (accelerator optional)
// The space has no single network: to_graph() throws; evaluators pick a task
// (task_candidate(), e.g. the table evaluator's `task:`) or cost every task (the hw evaluator).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "spaces/search_space.hpp"

namespace tandem {

class MultitaskSpace final : public SearchSpace {
 public:
  struct Task {
    std::string name;
    std::unique_ptr<SearchSpace> space;
  };
  // `accelerator` may be null (networks only).
  MultitaskSpace(std::vector<Task> tasks, std::unique_ptr<SearchSpace> accelerator);
  static std::unique_ptr<SearchSpace> create(const ConfigNode& options);

  std::string name() const override { return "multitask"; }
  std::string summary() const override;
  const std::vector<Decision>& decisions() const override { return decisions_; }
  std::string to_string(const Candidate& candidate) const override;
  Candidate parse(const std::string& text) const override;
  using SearchSpace::to_graph;
  ComputeGraph to_graph(const Candidate& candidate, const GraphOptions& options) const override;
  bool is_valid(const Candidate& candidate) const override;
  // The task networks as text, "<task1> ; <task2> ; ...".
  std::string architecture_string(const Candidate& candidate) const override;
  std::optional<AcceleratorDescription> accelerator_description(
      const Candidate& candidate) const override;
  std::vector<std::string> task_names() const override;
  // Each task's cells, named "<task>/<cell>".
  std::vector<CellDiagram> cell_diagrams(const Candidate& candidate) const override;
  Candidate task_candidate(const Candidate& candidate, const std::string& task,
                           const SearchSpace** space_out) const override;

  const SearchSpace* accelerator() const { return accelerator_.get(); }
  Candidate accelerator_part(const Candidate& candidate) const;

 private:
  std::size_t task_index(const std::string& task) const;  // ConfigError listing the tasks
  Candidate slice(const Candidate& candidate, std::size_t begin, std::size_t end) const;

  std::vector<Task> tasks_;
  std::vector<std::size_t> offsets_;  // tasks_.size() + 1 entries: decision ranges per task
  std::unique_ptr<SearchSpace> accelerator_;
  std::vector<Decision> decisions_;
};

}  // namespace tandem
