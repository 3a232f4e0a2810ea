// SD-DARTS (see sd_darts.hpp; algorithms.md §6 reconstruction, UNVERIFIED constants).
#include "search/oneshot/darts/sd_darts.hpp"

#include <cmath>

#include "core/error.hpp"

namespace tandem {

SdDartsOptions sd_darts_defaults(const SearchSpace& space) {
  SdDartsOptions o;
  o.darts = darts_defaults(space);
  return o;
}

SdDartsOptions read_sd_darts_options(const ConfigNode& node, SdDartsOptions o) {
  o.darts = read_darts_options(node, o.darts);
  if (!node.present()) return o;
  o.teachers = static_cast<int>(node.get_int_in("teachers", o.teachers, 1, 64));
  o.distill_temperature = node.get_double("distill_temperature", o.distill_temperature);
  if (!(o.distill_temperature > 0.0 && std::isfinite(o.distill_temperature)))
    node.at("distill_temperature")
        .fail("distill_temperature " + node.at("distill_temperature").scalar_text() +
              ": expected a number > 0");
  o.distill_weight = node.get_double("distill_weight", o.distill_weight);
  if (!(o.distill_weight >= 0.0 && std::isfinite(o.distill_weight)))
    node.at("distill_weight")
        .fail("distill_weight " + node.at("distill_weight").scalar_text() +
              ": expected a number >= 0");
  o.snapshot_interval =
      static_cast<int>(node.get_int_in("snapshot_interval", o.snapshot_interval, 1, 1000000));
  o.distill_architecture = node.get_bool("distill_architecture", o.distill_architecture);
  return o;
}

Tensor voting_teacher_probabilities(const SnapshotStore& store, Supernet& teacher,
                                    Supernet& student, const Tensor& images, double tau,
                                    bool use_snapshot_architecture) {
  TANDEM_CHECK(store.size() > 0, "sd_darts: no snapshot to vote");
  if (!use_snapshot_architecture)
    for (Parameter* a : student.architecture())
      teacher.parameters().find(a->name)->value.copy_from(a->value);
  std::vector<Tensor> logits;
  for (std::size_t i = 0; i < store.size(); ++i)
    store.with_snapshot(i, teacher.parameters(),
                        [&] { logits.push_back(teacher.forward(images, true).value().clone()); });
  return vote_teacher(logits, tau);
}

SdDarts::SdDarts(const StrategyContext& context, SdDartsOptions options)
    : DifferentiableSearch(context, "sd_darts", options.darts),
      sd_(options),
      store_(static_cast<std::size_t>(options.teachers)) {}

SdDarts::~SdDarts() = default;

void SdDarts::begin_epoch(int epoch, Supernet& supernet) {
  if (epoch == 1) {
    teacher_ = make_supernet(supernet.description(), 0x7465616368);  // "teach"
    teacher_->set_mode(supernet.mode());
    apply_weighting(*teacher_, darts_options().sharp);
  }
  distill_sum_ = 0.0;
  distill_steps_ = 0;
}

Variable SdDarts::weight_loss(Supernet& supernet, const Batch& batch, const Variable& logits) {
  Variable loss = cross_entropy(logits, batch.labels);
  if (store_.size() == 0 || sd_.distill_weight == 0.0) return loss;
  const Tensor teacher = voting_teacher_probabilities(
      store_, *teacher_, supernet, batch.images, sd_.distill_temperature, sd_.distill_architecture);
  Variable kd = distillation_loss(logits, teacher, sd_.distill_temperature);
  distill_sum_ += kd.value().item();
  ++distill_steps_;
  Variable lambda =
      supernet.tape().constant(Tensor::full({1}, static_cast<float>(sd_.distill_weight)));
  return add({loss, scale(kd, lambda, 0)});
}

void SdDarts::end_epoch(int epoch, Supernet& supernet, Metrics& values) {
  if (distill_steps_ > 0) values.set("search/distill_loss", distill_sum_ / distill_steps_);
  values.set("search/teachers", static_cast<double>(store_.size()));
  if (epoch % sd_.snapshot_interval == 0)
    store_.push(supernet.parameters(), sd_.distill_architecture);
}

void register_sd_darts(StrategyRegistry& registry) {
  registry.add(
      "sd_darts", "weight-sharing",
      "SD-DARTS: DARTS with self-distillation from voting teachers (previous supernet snapshots)",
      [](const StrategyContext& context) -> std::unique_ptr<Strategy> {
        std::vector<std::string> keys = darts_option_keys();
        for (const char* key : {"teachers", "distill_temperature", "distill_weight",
                                "snapshot_interval", "distill_architecture"})
          keys.push_back(key);
        check_weight_sharing_keys(context.options, keys);
        SdDartsOptions options =
            read_sd_darts_options(context.options, sd_darts_defaults(context.space));
        context.space.default_supernet();  // a ConfigError now for spaces without one
        return std::make_unique<SdDarts>(context, std::move(options));
      });
}

}  // namespace tandem
