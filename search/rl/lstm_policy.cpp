// LSTM controller policy: forward pass, sampling and backpropagation through time (see
// lstm_policy.hpp).
#include "search/rl/lstm_policy.hpp"

#include <cmath>

#include "core/error.hpp"

namespace tandem {
namespace {

using ConstMatrix = Eigen::Map<const Eigen::MatrixXd>;
using Matrix = Eigen::Map<Eigen::MatrixXd>;

Eigen::VectorXd sigmoid(const Eigen::VectorXd& v) {
  return (1.0 / (1.0 + (-v.array()).exp())).matrix();
}

}  // namespace

struct LstmPolicy::Trace {
  // [step][layer]
  std::vector<std::vector<Eigen::VectorXd>> x, h_prev, c_prev, i, f, g, o, c, h;
  std::vector<Eigen::VectorXd> scaled, probabilities;  // per step: logits / temperature, softmax
};

LstmPolicy::LstmPolicy(std::vector<int> cardinalities, LstmShape shape, double init_scale,
                       Rng& init_rng)
    : cardinalities_(std::move(cardinalities)), shape_(shape) {
  TANDEM_ASSERT(shape_.hidden_size >= 1 && shape_.layers >= 1);
  const Eigen::Index hidden = shape_.hidden_size;
  Eigen::Index size = 0;
  start_ = size;
  size += hidden;
  for (int l = 0; l < shape_.layers; ++l) {
    w_input_.push_back(size);
    size += 4 * hidden * hidden;
    w_hidden_.push_back(size);
    size += 4 * hidden * hidden;
    bias_.push_back(size);
    size += 4 * hidden;
  }
  for (int k : cardinalities_) {
    TANDEM_ASSERT(k >= 1);
    embedding_.push_back(size);
    size += k * hidden;
    w_output_.push_back(size);
    size += k * hidden;
    b_output_.push_back(size);
    size += k;
  }
  theta_.resize(size);
  for (Eigen::Index p = 0; p < size; ++p) theta_[p] = init_scale * (2.0 * init_rng.uniform() - 1.0);
}

std::vector<int> LstmPolicy::run(const std::vector<int>* given, Rng* rng, Trace* trace,
                                 double* log_prob, double* entropy) const {
  const Eigen::Index hidden = shape_.hidden_size;
  const int layers = shape_.layers;
  const std::size_t steps = cardinalities_.size();
  std::vector<Eigen::VectorXd> h(layers, Eigen::VectorXd::Zero(hidden)), c = h;
  Eigen::VectorXd x = theta_.segment(start_, hidden);
  if (trace) {
    for (auto* field : {&trace->x, &trace->h_prev, &trace->c_prev, &trace->i, &trace->f,
                        &trace->g, &trace->o, &trace->c, &trace->h})
      field->assign(steps, std::vector<Eigen::VectorXd>(layers));
    trace->scaled.assign(steps, {});
    trace->probabilities.assign(steps, {});
  }
  std::vector<int> actions;
  double total_log_prob = 0.0, total_entropy = 0.0;
  for (std::size_t t = 0; t < steps; ++t) {
    for (int l = 0; l < layers; ++l) {
      ConstMatrix w_input(theta_.data() + w_input_[l], 4 * hidden, hidden);
      ConstMatrix w_hidden(theta_.data() + w_hidden_[l], 4 * hidden, hidden);
      const Eigen::VectorXd gates =
          w_input * x + w_hidden * h[l] + theta_.segment(bias_[l], 4 * hidden);
      const Eigen::VectorXd i = sigmoid(gates.segment(0, hidden));
      const Eigen::VectorXd f = sigmoid(gates.segment(hidden, hidden));
      const Eigen::VectorXd g = gates.segment(2 * hidden, hidden).array().tanh().matrix();
      const Eigen::VectorXd o = sigmoid(gates.segment(3 * hidden, hidden));
      const Eigen::VectorXd c_new = f.cwiseProduct(c[l]) + i.cwiseProduct(g);
      const Eigen::VectorXd h_new = o.cwiseProduct(c_new.array().tanh().matrix());
      if (trace) {
        trace->x[t][l] = x;
        trace->h_prev[t][l] = h[l];
        trace->c_prev[t][l] = c[l];
        trace->i[t][l] = i;
        trace->f[t][l] = f;
        trace->g[t][l] = g;
        trace->o[t][l] = o;
        trace->c[t][l] = c_new;
        trace->h[t][l] = h_new;
      }
      h[l] = h_new;
      c[l] = c_new;
      x = h_new;
    }
    const Eigen::Index k = cardinalities_[t];
    ConstMatrix w_output(theta_.data() + w_output_[t], k, hidden);
    Eigen::VectorXd scaled = w_output * h[layers - 1] + theta_.segment(b_output_[t], k);
    if (shape_.temperature > 0) scaled /= shape_.temperature;
    Eigen::VectorXd logits = scaled;
    if (shape_.tanh_constant > 0) logits = shape_.tanh_constant * scaled.array().tanh().matrix();
    const Eigen::VectorXd p = softmax(logits);
    const int action = given ? (*given)[t] : sample_index(p, *rng);
    TANDEM_ASSERT(action >= 0 && action < k);
    total_log_prob += std::log(p[action]);
    total_entropy -= (p.array() * p.array().log()).sum();
    if (trace) {
      trace->scaled[t] = scaled;
      trace->probabilities[t] = p;
    }
    actions.push_back(action);
    ConstMatrix embedding(theta_.data() + embedding_[t], k, hidden);
    x = embedding.row(action).transpose();
  }
  if (log_prob) *log_prob = total_log_prob;
  if (entropy) *entropy = total_entropy;
  return actions;
}

void LstmPolicy::backward(const Trace& trace, const std::vector<int>& actions,
                          Eigen::VectorXd& gradient, double weight) const {
  const Eigen::Index hidden = shape_.hidden_size;
  const int layers = shape_.layers;
  std::vector<Eigen::VectorXd> dh_next(layers, Eigen::VectorXd::Zero(hidden)), dc_next = dh_next;
  for (std::size_t t = cardinalities_.size(); t-- > 0;) {
    const Eigen::Index k = cardinalities_[t];
    // Output layer: d log softmax(logits)[a] / d logits = onehot(a) - p.
    Eigen::VectorXd d_logits = -weight * trace.probabilities[t];
    d_logits[actions[t]] += weight;
    Eigen::VectorXd d_scaled = d_logits;
    if (shape_.tanh_constant > 0) {
      const Eigen::ArrayXd tanh_scaled = trace.scaled[t].array().tanh();
      d_scaled = (d_logits.array() * shape_.tanh_constant * (1.0 - tanh_scaled.square())).matrix();
    }
    Eigen::VectorXd d_output = d_scaled;
    if (shape_.temperature > 0) d_output /= shape_.temperature;
    ConstMatrix w_output(theta_.data() + w_output_[t], k, hidden);
    Matrix(gradient.data() + w_output_[t], k, hidden) +=
        d_output * trace.h[t][layers - 1].transpose();
    gradient.segment(b_output_[t], k) += d_output;
    Eigen::VectorXd d_input = w_output.transpose() * d_output;  // into h of the top layer

    for (int l = layers - 1; l >= 0; --l) {
      const Eigen::VectorXd dh = dh_next[l] + d_input;
      const Eigen::VectorXd& i = trace.i[t][l];
      const Eigen::VectorXd& f = trace.f[t][l];
      const Eigen::VectorXd& g = trace.g[t][l];
      const Eigen::VectorXd& o = trace.o[t][l];
      const Eigen::ArrayXd tanh_c = trace.c[t][l].array().tanh();
      const Eigen::ArrayXd d_o = dh.array() * tanh_c;
      const Eigen::ArrayXd dc = dc_next[l].array() + dh.array() * o.array() * (1.0 - tanh_c.square());
      Eigen::VectorXd d_gates(4 * hidden);
      d_gates.segment(0, hidden) = (dc * g.array() * i.array() * (1.0 - i.array())).matrix();
      d_gates.segment(hidden, hidden) =
          (dc * trace.c_prev[t][l].array() * f.array() * (1.0 - f.array())).matrix();
      d_gates.segment(2 * hidden, hidden) = (dc * i.array() * (1.0 - g.array().square())).matrix();
      d_gates.segment(3 * hidden, hidden) = (d_o * o.array() * (1.0 - o.array())).matrix();
      ConstMatrix w_input(theta_.data() + w_input_[l], 4 * hidden, hidden);
      ConstMatrix w_hidden(theta_.data() + w_hidden_[l], 4 * hidden, hidden);
      Matrix(gradient.data() + w_input_[l], 4 * hidden, hidden) +=
          d_gates * trace.x[t][l].transpose();
      Matrix(gradient.data() + w_hidden_[l], 4 * hidden, hidden) +=
          d_gates * trace.h_prev[t][l].transpose();
      gradient.segment(bias_[l], 4 * hidden) += d_gates;
      d_input = w_input.transpose() * d_gates;  // into the layer below (or the step's input)
      dh_next[l] = w_hidden.transpose() * d_gates;
      dc_next[l] = (dc * f.array()).matrix();
    }
    // The step's input: the start vector, or the embedding of the previous decision's value.
    if (t == 0) {
      gradient.segment(start_, hidden) += d_input;
    } else {
      const Eigen::Index previous_k = cardinalities_[t - 1];
      Matrix(gradient.data() + embedding_[t - 1], previous_k, hidden).row(actions[t - 1]) +=
          d_input.transpose();
    }
  }
}

std::vector<int> LstmPolicy::sample(Rng& rng) const {
  return run(nullptr, &rng, nullptr, nullptr, nullptr);
}

double LstmPolicy::log_prob(const std::vector<int>& actions, double* entropy,
                            Eigen::VectorXd* gradient, double weight) const {
  TANDEM_ASSERT(actions.size() == cardinalities_.size());
  double total = 0.0;
  if (!gradient) {
    run(&actions, nullptr, nullptr, &total, entropy);
    return total;
  }
  Trace trace;
  run(&actions, nullptr, &trace, &total, entropy);
  backward(trace, actions, *gradient, weight);
  return total;
}

}  // namespace tandem
