// The BANANAS ensemble of feed-forward networks (see mlp_ensemble.hpp for the sources and
// defaults): Glorot-uniform initialisation, minibatch Adam on MAE (or MSE), one independent seed
// per member.
#include "predictors/mlp_ensemble.hpp"

#include <cmath>
#include <numeric>

#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/text.hpp"

namespace tandem {
namespace {

double positive_number(const ConfigNode& options, const std::string& key, double fallback) {
  const double value = options.get_double(key, fallback);
  if (!(value > 0.0) || !std::isfinite(value))
    options.at(key).fail(key + " " + format_number(value) + " must be a number > 0");
  return value;
}

double beta(const ConfigNode& options, const std::string& key, double fallback) {
  const double value = options.get_double(key, fallback);
  if (!(value >= 0.0 && value < 1.0))
    options.at(key).fail(key + " " + format_number(value) +
                         " is out of range; accepted: 0 <= " + key + " < 1");
  return value;
}

// A training row as its non-zero features (path and one-hot encodings are mostly zeros).
struct SparseRow {
  std::vector<int> index;
  std::vector<float> value;
};

// Buffers for one minibatch of at most `capacity` rows through a network of `hidden` layers.
struct Workspace {
  Workspace(int hidden, int width, int capacity)
      : pre(static_cast<std::size_t>(hidden), Eigen::MatrixXf(width, capacity)),
        post(static_cast<std::size_t>(hidden), Eigen::MatrixXf(width, capacity)),
        delta(width, capacity),
        back(width, capacity),
        output(1, capacity) {}
  std::vector<Eigen::MatrixXf> pre, post;  // per hidden layer: W h + b, relu of it
  Eigen::MatrixXf delta, back;
  Eigen::RowVectorXf output;
};

// First layer pre-activations for the rows `rows` (sparse or dense input).
void first_layer(const MlpEnsemble::Layer& layer, const std::vector<SparseRow>* sparse,
                 const Eigen::MatrixXf* dense, const std::vector<int>& rows, Eigen::MatrixXf& pre) {
  const int count = static_cast<int>(rows.size());
  for (int s = 0; s < count; ++s) {
    auto column = pre.col(s);
    column = layer.bias;
    if (sparse) {
      const SparseRow& row = (*sparse)[static_cast<std::size_t>(rows[static_cast<std::size_t>(s)])];
      for (std::size_t k = 0; k < row.index.size(); ++k)
        column.noalias() += layer.weight.col(row.index[k]) * row.value[k];
    } else {
      column.noalias() += layer.weight * dense->col(rows[static_cast<std::size_t>(s)]);
    }
  }
}

// Forward pass of `rows`; returns the outputs in work.output (first rows.size() entries).
void forward(const MlpEnsemble::Network& network, const std::vector<SparseRow>* sparse,
             const Eigen::MatrixXf* dense, const std::vector<int>& rows, Workspace& work) {
  const Eigen::Index count = static_cast<Eigen::Index>(rows.size());
  const std::size_t hidden = network.layers.size() - 1;
  first_layer(network.layers[0], sparse, dense, rows, work.pre[0]);
  work.post[0].leftCols(count) = work.pre[0].leftCols(count).cwiseMax(0.0f);
  for (std::size_t l = 1; l < hidden; ++l) {
    work.pre[l].leftCols(count).noalias() =
        network.layers[l].weight * work.post[l - 1].leftCols(count);
    work.pre[l].leftCols(count).colwise() += network.layers[l].bias;
    work.post[l].leftCols(count) = work.pre[l].leftCols(count).cwiseMax(0.0f);
  }
  const MlpEnsemble::Layer& out = network.layers[hidden];
  work.output.head(count).noalias() = out.weight * work.post[hidden - 1].leftCols(count);
  work.output.head(count).array() += out.bias(0);
}

MlpEnsemble::Network initial_network(int inputs, const MlpEnsembleOptions& options, Rng& rng) {
  MlpEnsemble::Network network;
  auto glorot = [&](int fan_out, int fan_in) {
    const double limit = std::sqrt(6.0 / (fan_in + fan_out));
    MlpEnsemble::Layer layer;
    layer.weight.resize(fan_out, fan_in);
    for (Eigen::Index c = 0; c < layer.weight.cols(); ++c)
      for (Eigen::Index r = 0; r < layer.weight.rows(); ++r)
        layer.weight(r, c) = static_cast<float>((2.0 * rng.uniform() - 1.0) * limit);
    layer.bias = Eigen::VectorXf::Zero(fan_out);
    return layer;
  };
  int previous = inputs;
  for (int l = 0; l < options.hidden_layers; ++l) {
    network.layers.push_back(glorot(options.width, previous));
    previous = options.width;
  }
  network.layers.push_back(glorot(1, previous));
  return network;
}

// Trains one member on (rows, targets) with minibatch Adam.
void train(MlpEnsemble::Network& network, const std::vector<SparseRow>* sparse,
           const Eigen::MatrixXf* dense, const Eigen::VectorXf& targets,
           const MlpEnsembleOptions& options, Rng& rng) {
  const int n = static_cast<int>(targets.size());
  const int capacity = std::min(options.batch_size, n);
  const std::size_t layer_count = network.layers.size();
  const std::size_t hidden = layer_count - 1;
  Workspace work(options.hidden_layers, options.width, capacity);
  struct Moments {
    Eigen::MatrixXf weight_m, weight_v, weight_grad;
    Eigen::VectorXf bias_m, bias_v, bias_grad;
  };
  std::vector<Moments> moments(layer_count);
  for (std::size_t l = 0; l < layer_count; ++l) {
    const auto& layer = network.layers[l];
    moments[l] = Moments{Eigen::MatrixXf::Zero(layer.weight.rows(), layer.weight.cols()),
                         Eigen::MatrixXf::Zero(layer.weight.rows(), layer.weight.cols()),
                         Eigen::MatrixXf::Zero(layer.weight.rows(), layer.weight.cols()),
                         Eigen::VectorXf::Zero(layer.bias.size()),
                         Eigen::VectorXf::Zero(layer.bias.size()),
                         Eigen::VectorXf::Zero(layer.bias.size())};
  }
  const float beta1 = static_cast<float>(options.adam_beta1);
  const float beta2 = static_cast<float>(options.adam_beta2);
  const float epsilon = static_cast<float>(options.adam_epsilon);
  double beta1_power = 1.0, beta2_power = 1.0;

  std::vector<int> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::vector<int> batch;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    rng.shuffle(order);
    for (int start = 0; start < n; start += capacity) {
      batch.assign(order.begin() + start, order.begin() + std::min(n, start + capacity));
      const Eigen::Index count = static_cast<Eigen::Index>(batch.size());
      forward(network, sparse, dense, batch, work);

      // d loss / d output, loss averaged over the batch.
      Eigen::RowVectorXf grad_out(count);
      for (Eigen::Index s = 0; s < count; ++s) {
        const float residual = work.output(s) - targets(batch[static_cast<std::size_t>(s)]);
        grad_out(s) = options.mae_loss ? static_cast<float>((residual > 0) - (residual < 0))
                                       : 2.0f * residual;
      }
      grad_out /= static_cast<float>(count);

      Moments& top = moments[hidden];
      top.weight_grad.noalias() = grad_out * work.post[hidden - 1].leftCols(count).transpose();
      if (options.output_l1 > 0)
        top.weight_grad += static_cast<float>(options.output_l1) *
                           network.layers[hidden].weight.unaryExpr(
                               [](float w) { return static_cast<float>((w > 0) - (w < 0)); });
      top.bias_grad(0) = grad_out.sum();
      work.back.leftCols(count).noalias() = network.layers[hidden].weight.transpose() * grad_out;
      for (std::size_t l = hidden; l-- > 0;) {
        work.delta.leftCols(count) =
            (work.pre[l].leftCols(count).array() > 0.0f).select(work.back.leftCols(count), 0.0f);
        moments[l].bias_grad = work.delta.leftCols(count).rowwise().sum();
        if (l > 0) {
          moments[l].weight_grad.noalias() =
              work.delta.leftCols(count) * work.post[l - 1].leftCols(count).transpose();
          work.back.leftCols(count).noalias() =
              network.layers[l].weight.transpose() * work.delta.leftCols(count);
        } else {
          Eigen::MatrixXf& grad = moments[0].weight_grad;
          grad.setZero();
          for (Eigen::Index s = 0; s < count; ++s) {
            const int row = batch[static_cast<std::size_t>(s)];
            if (sparse) {
              const SparseRow& input = (*sparse)[static_cast<std::size_t>(row)];
              for (std::size_t k = 0; k < input.index.size(); ++k)
                grad.col(input.index[k]).noalias() += work.delta.col(s) * input.value[k];
            } else {
              grad.noalias() += work.delta.col(s) * dense->col(row).transpose();
            }
          }
        }
      }

      // Adam (Kingma & Ba; the Keras/TF form: bias correction folded into the step size).
      beta1_power *= options.adam_beta1;
      beta2_power *= options.adam_beta2;
      const float step = static_cast<float>(options.learning_rate * std::sqrt(1.0 - beta2_power) /
                                            (1.0 - beta1_power));
      auto adam = [&](auto&& param, auto& m, auto& v, const auto& grad) {
        m.array() = beta1 * m.array() + (1.0f - beta1) * grad.array();
        v.array() = beta2 * v.array() + (1.0f - beta2) * grad.array().square();
        param.array() -= step * m.array() / (v.array().sqrt() + epsilon);
      };
      for (std::size_t l = 0; l < layer_count; ++l) {
        adam(network.layers[l].weight, moments[l].weight_m, moments[l].weight_v,
             moments[l].weight_grad);
        adam(network.layers[l].bias, moments[l].bias_m, moments[l].bias_v, moments[l].bias_grad);
      }
    }
  }
}

}  // namespace

MlpEnsembleOptions MlpEnsembleOptions::parse(const ConfigNode& options) {
  options.check_keys({"members", "hidden_layers", "width", "epochs", "batch_size", "learning_rate",
                      "adam_beta1", "adam_beta2", "adam_epsilon", "loss", "output_l1",
                      "normalize_targets"});
  MlpEnsembleOptions out;
  out.members = static_cast<int>(options.get_int_in("members", out.members, 1, 1000));
  out.hidden_layers =
      static_cast<int>(options.get_int_in("hidden_layers", out.hidden_layers, 1, 1000));
  out.width = static_cast<int>(options.get_int_in("width", out.width, 1, 100000));
  out.epochs = static_cast<int>(options.get_int_in("epochs", out.epochs, 1, 1000000));
  out.batch_size = static_cast<int>(options.get_int_in("batch_size", out.batch_size, 1, 1000000));
  out.learning_rate = positive_number(options, "learning_rate", out.learning_rate);
  out.adam_beta1 = beta(options, "adam_beta1", out.adam_beta1);
  out.adam_beta2 = beta(options, "adam_beta2", out.adam_beta2);
  out.adam_epsilon = positive_number(options, "adam_epsilon", out.adam_epsilon);
  out.mae_loss = options.get_choice("loss", "mae", {"mae", "mse"}) == "mae";
  out.output_l1 = options.get_double("output_l1", out.output_l1);
  if (!(out.output_l1 >= 0.0) || !std::isfinite(out.output_l1))
    options.at("output_l1")
        .fail("output_l1 " + format_number(out.output_l1) + " must be a number >= 0");
  out.normalize_targets = options.get_bool("normalize_targets", out.normalize_targets);
  return out;
}

MlpEnsemble::MlpEnsemble(MlpEnsembleOptions options, std::uint64_t seed)
    : options_(options), seed_(seed) {}

void MlpEnsemble::fit(const Eigen::MatrixXd& features, const Eigen::VectorXd& targets) {
  const Eigen::Index n = features.rows();
  if (static_cast<std::size_t>(n) < min_training_points())
    throw ConfigError("mlp_ensemble: needs at least " + std::to_string(min_training_points()) +
                      " training points, got " + std::to_string(n));
  if (targets.size() != n)
    throw ConfigError("mlp_ensemble: " + std::to_string(n) + " feature rows but " +
                      std::to_string(targets.size()) + " targets");
  if (features.cols() == 0) throw ConfigError("mlp_ensemble: feature rows have no columns");
  for (Eigen::Index r = 0; r < n; ++r) {
    if (!std::isfinite(targets(r)))
      throw ConfigError("mlp_ensemble: target of row " + std::to_string(r) + " is " +
                        format_number(targets(r)) + "; targets must be finite numbers");
    for (Eigen::Index c = 0; c < features.cols(); ++c)
      if (!std::isfinite(features(r, c)))
        throw ConfigError("mlp_ensemble: feature row " + std::to_string(r) + ", column " +
                          std::to_string(c) + " is " + format_number(features(r, c)) +
                          "; features must be finite numbers");
  }

  feature_count_ = features.cols();
  target_mean_ = 0.0;
  target_scale_ = 1.0;
  if (options_.normalize_targets) {
    target_mean_ = targets.mean();
    const double variance = (targets.array() - target_mean_).square().mean();
    target_scale_ = variance > 1e-24 ? std::sqrt(variance) : 1.0;
  }
  const Eigen::VectorXf scaled =
      ((targets.array() - target_mean_) / target_scale_).cast<float>().matrix();

  // Sparse rows when at most a quarter of the features are non-zero on average.
  Eigen::Index nonzero = 0;
  for (Eigen::Index r = 0; r < n; ++r)
    for (Eigen::Index c = 0; c < features.cols(); ++c) nonzero += features(r, c) != 0.0;
  std::vector<SparseRow> sparse;
  Eigen::MatrixXf dense;
  const bool use_sparse = 4 * nonzero <= n * features.cols();
  if (use_sparse) {
    sparse.resize(static_cast<std::size_t>(n));
    for (Eigen::Index r = 0; r < n; ++r)
      for (Eigen::Index c = 0; c < features.cols(); ++c)
        if (features(r, c) != 0.0) {
          sparse[static_cast<std::size_t>(r)].index.push_back(static_cast<int>(c));
          sparse[static_cast<std::size_t>(r)].value.push_back(static_cast<float>(features(r, c)));
        }
  } else {
    dense = features.transpose().cast<float>();
  }

  networks_.clear();
  const Rng base(seed_);
  for (int m = 0; m < options_.members; ++m) {
    Rng rng = base.derive(static_cast<std::uint64_t>(m));
    Network network = initial_network(static_cast<int>(feature_count_), options_, rng);
    train(network, use_sparse ? &sparse : nullptr, use_sparse ? nullptr : &dense, scaled, options_,
          rng);
    networks_.push_back(std::move(network));
  }
  training_error_ = (predict(features) - targets).cwiseAbs().mean();
}

void MlpEnsemble::check_features(const Eigen::MatrixXd& features) const {
  if (!fitted()) throw ConfigError("mlp_ensemble: predict() called before fit()");
  if (features.cols() != feature_count_)
    throw ConfigError("mlp_ensemble: features have " + std::to_string(features.cols()) +
                      " columns but the predictor was fitted on " + std::to_string(feature_count_));
  for (Eigen::Index r = 0; r < features.rows(); ++r)
    for (Eigen::Index c = 0; c < features.cols(); ++c)
      if (!std::isfinite(features(r, c)))
        throw ConfigError("mlp_ensemble: feature row " + std::to_string(r) + ", column " +
                          std::to_string(c) + " is " + format_number(features(r, c)) +
                          "; features must be finite numbers");
}

Eigen::MatrixXd MlpEnsemble::member_predictions(const Eigen::MatrixXd& features) const {
  check_features(features);
  const Eigen::Index n = features.rows();
  Eigen::MatrixXd out(static_cast<Eigen::Index>(networks_.size()), n);
  if (n == 0) return out;
  const Eigen::MatrixXf dense = features.transpose().cast<float>();
  constexpr int kChunk = 256;
  Workspace work(options_.hidden_layers, options_.width,
                 static_cast<int>(std::min<Eigen::Index>(n, kChunk)));
  std::vector<int> rows;
  for (std::size_t m = 0; m < networks_.size(); ++m) {
    for (Eigen::Index start = 0; start < n; start += kChunk) {
      rows.clear();
      for (Eigen::Index r = start; r < std::min<Eigen::Index>(n, start + kChunk); ++r)
        rows.push_back(static_cast<int>(r));
      forward(networks_[m], nullptr, &dense, rows, work);
      for (std::size_t i = 0; i < rows.size(); ++i)
        out(static_cast<Eigen::Index>(m), rows[i]) =
            static_cast<double>(work.output(static_cast<Eigen::Index>(i))) * target_scale_ +
            target_mean_;
    }
  }
  return out;
}

Eigen::VectorXd MlpEnsemble::predict(const Eigen::MatrixXd& features) const {
  return member_predictions(features).colwise().mean().transpose();
}

Eigen::VectorXd MlpEnsemble::predict_stddev(const Eigen::MatrixXd& features) const {
  const Eigen::MatrixXd members = member_predictions(features);
  const Eigen::RowVectorXd mean = members.colwise().mean();
  return (members.rowwise() - mean).array().square().colwise().mean().sqrt().transpose();
}

void register_mlp_ensemble(PredictorRegistry& registry) {
  registry.add("mlp_ensemble", "neural",
               "BANANAS ensemble of feed-forward networks (White et al. 2021): members, "
               "hidden_layers, width, epochs, batch_size, learning_rate, adam_beta1/2, "
               "adam_epsilon, loss, output_l1, normalize_targets",
               [](const PredictorContext& context) -> std::unique_ptr<Predictor> {
                 return std::make_unique<MlpEnsemble>(MlpEnsembleOptions::parse(context.options),
                                                      context.seed);
               });
}

}  // namespace tandem
