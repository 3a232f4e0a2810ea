// Predictor "pretrained" (see pretrained_predictor.hpp). Source: Dai et al., "FBNetV3: Joint
// Architecture-Recipe Search using Predictor Pretraining", CVPR 2021 (predictor pretraining on free
// statistics, then fine-tuning); the reconstruction of its details in
// ../shared/reference/algorithms.md §12.3. Adam: Kingma & Ba, ICLR 2015.
#include "predictors/pretrained_predictor.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "predictors/ridge_predictor.hpp"

namespace tandem {
namespace {

using Dense = PretrainedMlpPredictor::Dense;

Dense he_layer(Eigen::Index in, Eigen::Index out, Rng& rng) {
  Dense layer;
  layer.weight.resize(out, in);
  const double stddev = std::sqrt(2.0 / static_cast<double>(in));
  for (Eigen::Index r = 0; r < out; ++r)
    for (Eigen::Index c = 0; c < in; ++c) layer.weight(r, c) = rng.normal(0.0, stddev);
  layer.bias = Eigen::RowVectorXd::Zero(out);
  return layer;
}

struct Adam {
  struct Moments {
    Eigen::MatrixXd m_w, v_w;
    Eigen::RowVectorXd m_b, v_b;
  };
  std::vector<Moments> moments;
  double learning_rate;
  int step = 0;

  Adam(const std::vector<Dense*>& layers, double lr) : learning_rate(lr) {
    for (const Dense* layer : layers)
      moments.push_back(Moments{Eigen::MatrixXd::Zero(layer->weight.rows(), layer->weight.cols()),
                                Eigen::MatrixXd::Zero(layer->weight.rows(), layer->weight.cols()),
                                Eigen::RowVectorXd::Zero(layer->bias.size()),
                                Eigen::RowVectorXd::Zero(layer->bias.size())});
  }

  void update(const std::vector<Dense*>& layers, const std::vector<Dense>& gradients) {
    constexpr double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8;
    ++step;
    const double c1 = 1.0 - std::pow(beta1, step), c2 = 1.0 - std::pow(beta2, step);
    for (std::size_t i = 0; i < layers.size(); ++i) {
      Moments& m = moments[i];
      const Dense& g = gradients[i];
      m.m_w = beta1 * m.m_w + (1 - beta1) * g.weight;
      m.v_w = beta2 * m.v_w + (1 - beta2) * g.weight.cwiseAbs2();
      m.m_b = beta1 * m.m_b + (1 - beta1) * g.bias;
      m.v_b = beta2 * m.v_b + (1 - beta2) * g.bias.cwiseAbs2();
      layers[i]->weight.array() -=
          learning_rate * (m.m_w.array() / c1) / ((m.v_w.array() / c2).sqrt() + epsilon);
      layers[i]->bias.array() -=
          learning_rate * (m.m_b.array() / c1) / ((m.v_b.array() / c2).sqrt() + epsilon);
    }
  }
};

// Encoder forward pass keeping every layer's pre-activation (for backprop); returns the embedding.
Eigen::MatrixXd encode(const std::vector<Dense>& encoder, const Eigen::MatrixXd& x,
                       std::vector<Eigen::MatrixXd>* inputs, std::vector<Eigen::MatrixXd>* pre) {
  Eigen::MatrixXd a = x;
  for (const Dense& layer : encoder) {
    if (inputs != nullptr) inputs->push_back(a);
    Eigen::MatrixXd z = (a * layer.weight.transpose()).rowwise() + layer.bias;
    a = z.cwiseMax(0.0);
    if (pre != nullptr) pre->push_back(std::move(z));
  }
  return a;
}

// Trains head (and the encoder when `train_encoder`) on (x, y) with the Huber loss; returns the
// mean loss of the last epoch.
double train(std::vector<Dense>& encoder, Dense& head, const Eigen::MatrixXd& x,
             const Eigen::MatrixXd& y, int epochs, int batch_size, double learning_rate,
             double delta, bool train_encoder, Rng& rng) {
  std::vector<Dense*> layers = {&head};
  if (train_encoder)
    for (Dense& layer : encoder) layers.push_back(&layer);
  Adam adam(layers, learning_rate);
  std::vector<Eigen::Index> order(static_cast<std::size_t>(x.rows()));
  std::iota(order.begin(), order.end(), 0);
  double epoch_loss = 0.0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    rng.shuffle(order);
    epoch_loss = 0.0;
    for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(batch_size)) {
      const std::size_t end = std::min(order.size(), start + static_cast<std::size_t>(batch_size));
      const auto rows = static_cast<Eigen::Index>(end - start);
      Eigen::MatrixXd bx(rows, x.cols()), by(rows, y.cols());
      for (Eigen::Index r = 0; r < rows; ++r) {
        bx.row(r) = x.row(order[start + static_cast<std::size_t>(r)]);
        by.row(r) = y.row(order[start + static_cast<std::size_t>(r)]);
      }
      std::vector<Eigen::MatrixXd> inputs, pre;
      const Eigen::MatrixXd embedding = encode(encoder, bx, &inputs, &pre);
      const Eigen::MatrixXd out = (embedding * head.weight.transpose()).rowwise() + head.bias;
      const Eigen::ArrayXXd residual = (out - by).array();
      const Eigen::ArrayXXd abs = residual.abs();
      const double count = static_cast<double>(residual.size());
      epoch_loss += (abs <= delta).select(0.5 * residual.square(), delta * (abs - 0.5 * delta)).sum() /
                    count * static_cast<double>(rows);
      Eigen::MatrixXd d_out = (residual.max(-delta).min(delta) / count).matrix();

      std::vector<Dense> gradients;
      gradients.push_back(Dense{d_out.transpose() * embedding, d_out.colwise().sum()});
      if (train_encoder) {
        Eigen::MatrixXd d_a = d_out * head.weight;
        std::vector<Dense> encoder_gradients(encoder.size());
        for (std::size_t l = encoder.size(); l-- > 0;) {
          const Eigen::MatrixXd d_z = (pre[l].array() > 0.0).select(d_a.array(), 0.0).matrix();
          encoder_gradients[l] = Dense{d_z.transpose() * inputs[l], d_z.colwise().sum()};
          if (l > 0) d_a = d_z * encoder[l].weight;
        }
        for (Dense& g : encoder_gradients) gradients.push_back(std::move(g));
      }
      adam.update(layers, gradients);
    }
    epoch_loss /= static_cast<double>(x.rows());
  }
  return epoch_loss;
}

std::vector<Dense> random_encoder(Eigen::Index in, const PretrainedMlpOptions& options, Rng& rng) {
  std::vector<Dense> encoder;
  for (int l = 0; l < options.hidden_layers; ++l)
    encoder.push_back(he_layer(l == 0 ? in : options.width, options.width, rng));
  return encoder;
}

}  // namespace

PretrainedMlpOptions PretrainedMlpOptions::parse(const ConfigNode& options) {
  options.check_keys({"hidden_layers", "width", "pretrain_epochs", "head_alpha",
                      "finetune_epochs", "batch_size", "learning_rate", "finetune_learning_rate",
                      "huber_delta", "pretrain_samples"});
  PretrainedMlpOptions parsed;
  auto integer = [&](const char* key, int fallback, int min, int max) {
    return static_cast<int>(options.get_int_in(key, fallback, min, max));
  };
  parsed.hidden_layers = integer("hidden_layers", parsed.hidden_layers, 1, 16);
  parsed.width = integer("width", parsed.width, 1, 4096);
  parsed.pretrain_epochs = integer("pretrain_epochs", parsed.pretrain_epochs, 0, 100000);
  if (options.has("head_alpha")) {
    const double alpha = options.get_double("head_alpha");
    if (!(alpha >= 0.0) || !std::isfinite(alpha))
      options.at("head_alpha").fail("head_alpha must be a number >= 0, got " + std::to_string(alpha));
    parsed.head_alpha = alpha;
  }
  parsed.finetune_epochs = integer("finetune_epochs", parsed.finetune_epochs, 0, 100000);
  parsed.batch_size = integer("batch_size", parsed.batch_size, 1, 1 << 20);
  parsed.pretrain_samples = integer("pretrain_samples", parsed.pretrain_samples, 0, 10000000);
  auto positive = [&](const char* key, double fallback) {
    const double value = options.get_double(key, fallback);
    if (!(value > 0.0) || !std::isfinite(value))
      options.at(key).fail(std::string(key) + " must be a number > 0, got " + std::to_string(value));
    return value;
  };
  parsed.learning_rate = positive("learning_rate", parsed.learning_rate);
  parsed.finetune_learning_rate = positive("finetune_learning_rate", parsed.finetune_learning_rate);
  parsed.huber_delta = positive("huber_delta", parsed.huber_delta);
  return parsed;
}

PretrainedMlpPredictor::PretrainedMlpPredictor(PretrainedMlpOptions options, std::uint64_t seed)
    : options_(options), seed_(seed) {}

void PretrainedMlpPredictor::pretrain(const Eigen::MatrixXd& features,
                                      const Eigen::MatrixXd& statistics) {
  if (statistics.cols() == 0)
    throw ConfigError("predictor 'pretrained': pretraining needs at least one statistic column");
  for (Eigen::Index c = 0; c < statistics.cols(); ++c)
    check_training_data(name() + "' (pretraining statistic " + std::to_string(c) + ")", features,
                        statistics.col(c), 2);
  // Standardise each statistic so the proxy head's loss weighs them equally.
  Eigen::MatrixXd targets = statistics;
  for (Eigen::Index c = 0; c < targets.cols(); ++c) {
    TargetScaler scaler;
    scaler.fit(statistics.col(c));
    targets.col(c) = scaler.transform(statistics.col(c));
  }
  Rng rng = Rng(seed_).derive(1);
  std::vector<Dense> encoder = random_encoder(features.cols(), options_, rng);
  Dense proxy_head = he_layer(options_.width, targets.cols(), rng);
  pretraining_loss_ = train(encoder, proxy_head, features, targets, options_.pretrain_epochs,
                            options_.batch_size, options_.learning_rate, options_.huber_delta,
                            /*train_encoder=*/true, rng);
  pretrained_encoder_ = std::move(encoder);
  proxy_head_ = std::move(proxy_head);
  encoder_.clear();  // a fit from before no longer matches the encoder
}

void PretrainedMlpPredictor::fit(const Eigen::MatrixXd& features, const Eigen::VectorXd& targets) {
  check_training_data(name(), features, targets, min_training_points());
  Rng rng = Rng(seed_).derive(2);
  std::vector<Dense> encoder;
  if (pretrained()) {
    if (pretrained_encoder_.front().weight.cols() != features.cols())
      throw ConfigError("predictor 'pretrained': feature rows have " +
                        std::to_string(features.cols()) + " columns but it was pretrained on " +
                        std::to_string(pretrained_encoder_.front().weight.cols()) +
                        " (pretrain and fit on the same encoding, without extra columns)");
    encoder = pretrained_encoder_;
  } else {
    encoder = random_encoder(features.cols(), options_, rng);
  }
  target_scaler_.fit(targets);
  const Eigen::MatrixXd y = target_scaler_.transform(targets);
  // Stage 2a, encoder frozen: the linear head's least-squares optimum on the embedding, taken
  // exactly (ridge, alpha by leave-one-out) instead of by gradient steps. After pretraining, the
  // head starts from the proxy head: first y is regressed on the predicted statistics (a few
  // columns, well determined by few rows), then the residual on the whole embedding.
  const Eigen::MatrixXd embedding = encode(encoder, features, nullptr, nullptr);
  Dense head;
  head.weight = Eigen::MatrixXd::Zero(1, embedding.cols());
  head.bias = Eigen::RowVectorXd::Zero(1);
  Eigen::VectorXd residual = y.col(0);
  if (pretrained()) {
    const Eigen::MatrixXd predicted_statistics =
        (embedding * proxy_head_.weight.transpose()).rowwise() + proxy_head_.bias;
    RidgePredictor on_statistics(RidgeOptions{});
    on_statistics.fit(predicted_statistics, residual);
    const Eigen::VectorXd a = on_statistics.coefficients();
    head.weight += a.transpose() * proxy_head_.weight;
    head.bias(0) += a.dot(proxy_head_.bias.transpose()) + on_statistics.intercept();
    residual -= on_statistics.predict(predicted_statistics);
  }
  RidgeOptions head_options;
  head_options.alpha = options_.head_alpha;
  RidgePredictor on_embedding(head_options);
  on_embedding.fit(embedding, residual);
  head.weight += on_embedding.coefficients().transpose();
  head.bias(0) += on_embedding.intercept();
  // Stage 2b: fine-tune everything.
  train(encoder, head, features, y, options_.finetune_epochs, options_.batch_size,
        options_.finetune_learning_rate, options_.huber_delta, /*train_encoder=*/true, rng);
  encoder_ = std::move(encoder);
  head_ = std::move(head);
  width_ = features.cols();
}

Eigen::VectorXd PretrainedMlpPredictor::predict(const Eigen::MatrixXd& features) const {
  check_prediction_input(name(), fitted(), width_, features);
  const Eigen::MatrixXd embedding = encode(encoder_, features, nullptr, nullptr);
  const Eigen::VectorXd scaled = ((embedding * head_.weight.transpose()).rowwise() + head_.bias).col(0);
  return target_scaler_.inverse(scaled);
}

void register_pretrained(PredictorRegistry& registry) {
  registry.add("pretrained", "neural",
               "MLP pretrained on free statistics (params, MACs), then fine-tuned (FBNetV3)",
               [](const PredictorContext& context) -> std::unique_ptr<Predictor> {
                 return std::make_unique<PretrainedMlpPredictor>(
                     PretrainedMlpOptions::parse(context.options), context.seed);
               });
}

}  // namespace tandem
