// MultitaskSpace: one network space per task x an optional accelerator space
// (see multitask_space.hpp).
#include "spaces/multitask_space.hpp"

#include <cctype>
#include <set>

#include "core/error.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

const std::string kTaskSeparator = " ; ";
const std::string kAcceleratorSeparator = " @ ";

// A sub-space from {space: NAME, options: {...}} (the keys of `node` are checked by the caller).
std::unique_ptr<SearchSpace> create_part(const ConfigNode& node) {
  ConfigNode space = node.at("space");
  const std::string name = space.as_string();
  if (name == "multitask" || name == "joint")
    space.fail("a multitask space cannot contain a '" + name + "' space");
  if (!space_registry().contains(name))
    space.fail("unknown search space '" + name + "'" + did_you_mean(name, space_registry().names()) +
               "; available: " + join(space_registry().names(), ", "));
  return space_registry().create(name, node.optional("options"));
}

bool valid_task_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

}  // namespace

MultitaskSpace::MultitaskSpace(std::vector<Task> tasks, std::unique_ptr<SearchSpace> accelerator)
    : tasks_(std::move(tasks)), accelerator_(std::move(accelerator)) {
  TANDEM_CHECK(!tasks_.empty(), "space 'multitask' needs at least one task");
  offsets_.push_back(0);
  for (const Task& task : tasks_) {
    for (Decision d : task.space->decisions()) {
      d.name = task.name + "." + d.name;
      decisions_.push_back(std::move(d));
    }
    offsets_.push_back(decisions_.size());
  }
  if (accelerator_) {
    for (Decision d : accelerator_->decisions()) {
      d.name = "hw." + d.name;
      decisions_.push_back(std::move(d));
    }
  }
  set_graph_options(tasks_.front().space->graph_options());
}

std::unique_ptr<SearchSpace> MultitaskSpace::create(const ConfigNode& options) {
  options.check_keys({"tasks", "accelerator"});
  ConfigNode list = options.at("tasks");
  if (!list.is_sequence() || list.size() == 0)
    list.fail("expected a list of tasks ({name: T, space: NAME, options: {...}}), at least one");
  Rng rng(0);
  std::vector<Task> tasks;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    ConfigNode node = list.element(i);
    if (!node.is_map()) node.fail("expected {name: T, space: NAME, options: {...}}");
    node.check_keys({"name", "space", "options"});
    const std::string name = node.at("name").as_string();
    if (!valid_task_name(name))
      node.at("name").fail("task name '" + name + "' must be non-empty and use only A-Z a-z 0-9 _");
    if (!seen.insert(name).second) node.at("name").fail("task name '" + name + "' is repeated");
    auto space = create_part(node);
    if (space->accelerator_description(space->sample(rng)))
      node.at("space").fail("expected a network space for task '" + name + "', got '" +
                            space->name() + "'");
    tasks.push_back({name, std::move(space)});
  }
  std::unique_ptr<SearchSpace> accelerator;
  if (options.has("accelerator")) {
    ConfigNode node = options.at("accelerator");
    node.check_keys({"space", "options"});
    accelerator = create_part(node);
    if (!accelerator->accelerator_description(accelerator->sample(rng)))
      node.fail("expected an accelerator space (systolic_hw, eyeriss_hw, heterogeneous_hw), got '" +
                accelerator->name() + "'");
  }
  return std::make_unique<MultitaskSpace>(std::move(tasks), std::move(accelerator));
}

std::string MultitaskSpace::summary() const {
  std::vector<std::string> parts;
  for (const Task& task : tasks_) parts.push_back(task.name + ": " + task.space->name());
  return "multitask: " + join(parts, ", ") +
         (accelerator_ ? " x " + accelerator_->name() : std::string());
}

std::vector<std::string> MultitaskSpace::task_names() const {
  std::vector<std::string> names;
  for (const Task& task : tasks_) names.push_back(task.name);
  return names;
}

std::size_t MultitaskSpace::task_index(const std::string& task) const {
  for (std::size_t t = 0; t < tasks_.size(); ++t)
    if (tasks_[t].name == task) return t;
  throw ConfigError("space 'multitask' has no task '" + task + "'" +
                    did_you_mean(task, task_names()) + "; tasks: " + join(task_names(), ", "));
}

Candidate MultitaskSpace::slice(const Candidate& candidate, std::size_t begin,
                                std::size_t end) const {
  TANDEM_CHECK(candidate.decisions.size() == decisions_.size(),
               "space 'multitask': candidate has " + std::to_string(candidate.decisions.size()) +
                   " decisions, expected " + std::to_string(decisions_.size()));
  return Candidate{std::vector<int>(candidate.decisions.begin() + static_cast<long>(begin),
                                    candidate.decisions.begin() + static_cast<long>(end))};
}

Candidate MultitaskSpace::task_candidate(const Candidate& candidate, const std::string& task,
                                         const SearchSpace** space_out) const {
  const std::size_t t = task_index(task);
  if (space_out) *space_out = tasks_[t].space.get();
  return slice(candidate, offsets_[t], offsets_[t + 1]);
}

Candidate MultitaskSpace::accelerator_part(const Candidate& candidate) const {
  return slice(candidate, offsets_.back(), decisions_.size());
}

std::string MultitaskSpace::architecture_string(const Candidate& candidate) const {
  std::vector<std::string> parts;
  for (std::size_t t = 0; t < tasks_.size(); ++t)
    parts.push_back(tasks_[t].space->to_string(slice(candidate, offsets_[t], offsets_[t + 1])));
  return join(parts, kTaskSeparator);
}

std::string MultitaskSpace::to_string(const Candidate& candidate) const {
  std::string text = architecture_string(candidate);
  if (accelerator_)
    text += kAcceleratorSeparator + accelerator_->to_string(accelerator_part(candidate));
  return text;
}

Candidate MultitaskSpace::parse(const std::string& text) const {
  std::size_t networks_end = text.size();
  if (accelerator_) {
    networks_end = text.rfind(kAcceleratorSeparator);
    if (networks_end == std::string::npos)
      throw ParseError("space 'multitask': at character " + std::to_string(text.size()) +
                       ": expected '<task networks> @ <accelerator>', found no ' @ '");
  }
  Candidate out;
  std::size_t begin = 0;
  for (std::size_t t = 0; t < tasks_.size(); ++t) {
    const bool last = t + 1 == tasks_.size();
    std::size_t end = last ? networks_end : text.find(kTaskSeparator, begin);
    if (end == std::string::npos || end > networks_end)
      throw ParseError("space 'multitask': at character " + std::to_string(networks_end) +
                       ": expected " + std::to_string(tasks_.size()) +
                       " task networks separated by ' ; ' (" + join(task_names(), ", ") +
                       "), found " + std::to_string(t + 1));
    if (last) {
      const std::size_t extra = text.find(kTaskSeparator, begin);
      if (extra != std::string::npos && extra < networks_end)
        throw ParseError("space 'multitask': at character " + std::to_string(extra) +
                         ": expected " + std::to_string(tasks_.size()) +
                         " task networks separated by ' ; ' (" + join(task_names(), ", ") +
                         "), found another ' ; '");
    }
    Candidate part;
    try {
      part = tasks_[t].space->parse(text.substr(begin, end - begin));
    } catch (const ParseError& error) {
      throw ParseError("space 'multitask': in task '" + tasks_[t].name + "' (from character " +
                       std::to_string(begin) + "): " + error.what());
    }
    out.decisions.insert(out.decisions.end(), part.decisions.begin(), part.decisions.end());
    begin = end + kTaskSeparator.size();
  }
  if (accelerator_) {
    const std::size_t from = networks_end + kAcceleratorSeparator.size();
    Candidate part;
    try {
      part = accelerator_->parse(text.substr(from));
    } catch (const ParseError& error) {
      throw ParseError("space 'multitask': in the accelerator part (from character " +
                       std::to_string(from) + "): " + error.what());
    }
    out.decisions.insert(out.decisions.end(), part.decisions.begin(), part.decisions.end());
  }
  return out;
}

ComputeGraph MultitaskSpace::to_graph(const Candidate&, const GraphOptions&) const {
  throw ConfigError("space 'multitask' holds one network per task (" + join(task_names(), ", ") +
                    "), not one graph: evaluators need a `task:` option (e.g. table) or must cost "
                    "every task (hw)");
}

bool MultitaskSpace::is_valid(const Candidate& candidate) const {
  if (candidate.decisions.size() != decisions_.size()) return false;
  for (std::size_t t = 0; t < tasks_.size(); ++t)
    if (!tasks_[t].space->is_valid(slice(candidate, offsets_[t], offsets_[t + 1]))) return false;
  return !accelerator_ || accelerator_->is_valid(accelerator_part(candidate));
}

std::optional<AcceleratorDescription> MultitaskSpace::accelerator_description(
    const Candidate& candidate) const {
  if (!accelerator_) return std::nullopt;
  return accelerator_->accelerator_description(accelerator_part(candidate));
}

std::vector<CellDiagram> MultitaskSpace::cell_diagrams(const Candidate& candidate) const {
  std::vector<CellDiagram> cells;
  for (std::size_t t = 0; t < tasks_.size(); ++t)
    for (CellDiagram cell :
         tasks_[t].space->cell_diagrams(slice(candidate, offsets_[t], offsets_[t + 1]))) {
      cell.name = tasks_[t].name + "/" + cell.name;
      cells.push_back(std::move(cell));
    }
  return cells;
}

}  // namespace tandem
