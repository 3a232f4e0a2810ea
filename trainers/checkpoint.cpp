// Checkpoint save/load of parameters, buffers, optimizer states and RNG states (see
// checkpoint.hpp).
#include "trainers/checkpoint.hpp"

#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "trainers/serialization.hpp"

namespace tandem {

namespace {
constexpr const char* magic = "TNDMCKPT";
constexpr std::uint64_t version = 1;
}  // namespace

std::string save_checkpoint(const CheckpointParts& parts) {
  TANDEM_CHECK(parts.model != nullptr, "save_checkpoint: no model");
  serial::Writer w;
  w.text(magic);
  w.u64(version);
  auto parameters = parts.model->all();
  w.u64(parameters.size());
  for (const Parameter* p : parameters) {
    w.text(p->name);
    w.tensor(p->value);
  }
  auto buffers = parts.model->buffers();
  w.u64(buffers.size());
  for (const Buffer* b : buffers) {
    w.text(b->name);
    w.tensor(b->value);
  }
  w.u64(parts.optimizers.size());
  for (const Optimizer* o : parts.optimizers) w.text(o->save_state());
  w.u64(parts.rngs.size());
  for (const Rng* r : parts.rngs) w.text(r->state());
  return w.bytes();
}

void load_checkpoint(const std::string& bytes, const CheckpointParts& parts) {
  TANDEM_CHECK(parts.model != nullptr, "load_checkpoint: no model");
  serial::Reader r(bytes, "checkpoint");
  TANDEM_CHECK(bytes.size() >= 16 && r.text() == magic, "checkpoint: not a tandem checkpoint");
  const std::uint64_t v = r.u64();
  TANDEM_CHECK(v == version, "checkpoint: version " + std::to_string(v) + " (expected " +
                                 std::to_string(version) + ")");
  // Read everything first, then assign, so a mismatch leaves the model untouched.
  auto parameters = parts.model->all();
  const std::uint64_t count = r.u64();
  TANDEM_CHECK(count == parameters.size(), "checkpoint has " + std::to_string(count) +
                                               " parameters, the model " +
                                               std::to_string(parameters.size()));
  std::vector<Tensor> values;
  for (const Parameter* p : parameters) {
    const std::string name = r.text();
    TANDEM_CHECK(name == p->name, "checkpoint parameter '" + name + "' where the model has '" +
                                      p->name + "'");
    Tensor t = r.tensor();
    TANDEM_CHECK(t.shape() == p->value.shape(),
                 "checkpoint parameter '" + name + "' has shape " + shape_to_string(t.shape()) +
                     ", the model " + shape_to_string(p->value.shape()));
    values.push_back(t);
  }
  auto buffers = parts.model->buffers();
  const std::uint64_t buffer_count = r.u64();
  TANDEM_CHECK(buffer_count == buffers.size(), "checkpoint has " + std::to_string(buffer_count) +
                                                   " buffers, the model " +
                                                   std::to_string(buffers.size()));
  std::vector<Tensor> buffer_values;
  for (const Buffer* b : buffers) {
    const std::string name = r.text();
    TANDEM_CHECK(name == b->name,
                 "checkpoint buffer '" + name + "' where the model has '" + b->name + "'");
    Tensor t = r.tensor();
    TANDEM_CHECK(t.shape() == b->value.shape(), "checkpoint buffer '" + name + "' has shape " +
                                                    shape_to_string(t.shape()));
    buffer_values.push_back(t);
  }
  const std::uint64_t optimizer_count = r.u64();
  TANDEM_CHECK(optimizer_count == parts.optimizers.size(),
               "checkpoint has " + std::to_string(optimizer_count) + " optimizer states, " +
                   std::to_string(parts.optimizers.size()) + " requested");
  std::vector<std::string> optimizer_states;
  for (std::uint64_t i = 0; i < optimizer_count; ++i) optimizer_states.push_back(r.text());
  const std::uint64_t rng_count = r.u64();
  TANDEM_CHECK(rng_count == parts.rngs.size(), "checkpoint has " + std::to_string(rng_count) +
                                                   " RNG states, " +
                                                   std::to_string(parts.rngs.size()) +
                                                   " requested");
  std::vector<Rng> rngs;
  for (std::uint64_t i = 0; i < rng_count; ++i) rngs.push_back(Rng::from_state(r.text()));
  TANDEM_CHECK(r.done(), "checkpoint: trailing bytes");

  for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i]->value.copy_from(values[i]);
  for (std::size_t i = 0; i < buffers.size(); ++i) buffers[i]->value.copy_from(buffer_values[i]);
  for (std::size_t i = 0; i < parts.optimizers.size(); ++i)
    parts.optimizers[i]->load_state(optimizer_states[i]);
  for (std::size_t i = 0; i < parts.rngs.size(); ++i) *parts.rngs[i] = rngs[i];
}

void save_checkpoint_file(const std::string& path, const CheckpointParts& parts) {
  const std::string bytes = save_checkpoint(parts);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  TANDEM_CHECK(out.good(), "cannot write checkpoint '" + path + "'");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  TANDEM_CHECK(out.good(), "cannot write checkpoint '" + path + "'");
}

void load_checkpoint_file(const std::string& path, const CheckpointParts& parts) {
  std::ifstream in(path, std::ios::binary);
  TANDEM_CHECK(in.good(), "cannot read checkpoint '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  load_checkpoint(buffer.str(), parts);
}

}  // namespace tandem
