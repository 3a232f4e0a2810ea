// Predictor "mlp_ensemble": the BANANAS meta neural network — an ensemble of independently
// initialised feed-forward ReLU networks regressing the target from an encoding; the prediction
// is the members' mean and the uncertainty their standard deviation (White, Neiswanger, Savani,
// "BANANAS: Bayesian Optimization with Neural Architectures for Neural Architecture Search",
// AAAI 2021). Defaults follow the official code, naszilla/naszilla: params.py
// meta_neuralnet_params('standard') and meta_neural_net.py MetaNeuralnet:
//   5 members; each 10 hidden Dense(20, relu) layers and a linear Dense(1) output, Glorot-uniform
//   weights and zero biases (Keras defaults); mean-absolute-error loss; Adam lr 0.01,
//   beta_1 0.9, beta_2 0.99 (epsilon 1e-7, the Keras default); 150 epochs of minibatches of 32,
//   reshuffled every epoch (Keras fit's shuffle=True); no regularisation.
// NASLib's MLPPredictor (naslib/predictors/mlp.py) differs (20 layers, lr 1e-3, 500 epochs, L1 0.2
// on the output weights); every one of these is an option, `output_l1` included.
// The standard deviation is the population one (numpy's np.var default, as naszilla's
// acquisition_functions.py computes it).
// Deviation, documented: targets are standardised (mean 0, std 1) before training and the
// predictions mapped back (`normalize_targets`, default true). The official code regresses raw
// validation losses in percent; standardising makes the result independent of the target's units
// and sign (tandem maximises oriented fitness), see docs/strategies.md.
// Speed: networks are trained in single precision (as Keras); the first layer works on each
// row's non-zero features only, so 155-bit path encodings with 4 ones cost 4 columns, not 155.
#pragma once

#include <cstdint>
#include <vector>

#include "predictors/predictor.hpp"

namespace tandem {

struct MlpEnsembleOptions {
  int members = 5;         // naszilla num_ensemble
  int hidden_layers = 10;  // num_layers
  int width = 20;          // layer_width
  int epochs = 150;
  int batch_size = 32;
  double learning_rate = 0.01;
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.99;
  double adam_epsilon = 1e-7;
  bool mae_loss = true;    // loss: mae (naszilla) | mse
  double output_l1 = 0.0;  // L1 penalty on the output layer's weights (naszilla 0, NASLib 0.2)
  bool normalize_targets = true;

  // Keys: members, hidden_layers, width, epochs, batch_size, learning_rate, adam_beta1,
  // adam_beta2, adam_epsilon, loss (mae|mse), output_l1, normalize_targets.
  static MlpEnsembleOptions parse(const ConfigNode& options);
};

class MlpEnsemble final : public Predictor {
 public:
  MlpEnsemble(MlpEnsembleOptions options, std::uint64_t seed);

  std::string name() const override { return "mlp_ensemble"; }
  void fit(const Eigen::MatrixXd& features, const Eigen::VectorXd& targets) override;
  Eigen::VectorXd predict(const Eigen::MatrixXd& features) const override;
  Eigen::VectorXd predict_stddev(const Eigen::MatrixXd& features) const override;
  std::size_t min_training_points() const override { return 2; }
  bool fitted() const override { return !networks_.empty(); }

  // Each member's prediction: one row per member, one column per feature row.
  Eigen::MatrixXd member_predictions(const Eigen::MatrixXd& features) const;
  // Mean absolute training error of the ensemble mean after the last fit (target units).
  double training_error() const { return training_error_; }

  struct Layer {
    Eigen::MatrixXf weight;  // out x in
    Eigen::VectorXf bias;
  };
  struct Network {
    std::vector<Layer> layers;  // hidden layers, then the 1-unit output layer
  };

 private:
  void check_features(const Eigen::MatrixXd& features) const;

  MlpEnsembleOptions options_;
  std::uint64_t seed_;
  std::vector<Network> networks_;
  Eigen::Index feature_count_ = 0;
  double target_mean_ = 0.0;
  double target_scale_ = 1.0;
  double training_error_ = 0.0;
};

void register_mlp_ensemble(PredictorRegistry& registry);

}  // namespace tandem
