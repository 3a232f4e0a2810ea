// Fuzz target: an ONNX model's bytes (`tandem hw eval --onnx`, the hw evaluator's `onnx:`;
// spaces/onnx_network.cpp), then the network's MACs and parameters and its cost on a systolic
// array. Seeds: the ONNX exports of sampled NB201, DARTS, MobileNet and MLP networks, written by
// the target itself (TANDEM_FUZZ_SEEDS, tests/fuzz/run_fuzzers.sh).
// Links: tandem_spaces tandem_trainers tandem_hwmodels
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/config_node.hpp"
#include "fuzz_support.hpp"
#include "hwmodels/cost_model.hpp"
#include "spaces/onnx_network.hpp"
#include "spaces/search_space.hpp"
#include "trainers/network.hpp"
#include "trainers/onnx_export.hpp"

namespace {

const tandem::hw::CostModel& model() {
  static const std::unique_ptr<tandem::hw::CostModel> systolic = [] {
    tandem::hw::register_builtin_cost_models();
    return tandem::hw::create_cost_model(
        tandem::ConfigNode::parse("{model: systolic, rows: 16, cols: 16}", "<fuzz>"));
  }();
  return *systolic;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  return tandem_fuzz::write_seeds_if_asked([](tandem::Rng& rng) {
    tandem::register_builtin_spaces();
    std::vector<std::string> seeds;
    const std::string path =
        (std::filesystem::temp_directory_path() / "tandem-fuzz-onnx-seed.onnx").string();
    for (const char* space : {"mlp", "nb201", "darts", "mobilenet"}) {
      auto made = tandem::space_registry().create(
          space, tandem::ConfigNode::parse(
                     std::string(space) == "mlp" ? "{}"
                     : std::string(space) == "mobilenet"
                         ? "{input_shape: [3, 32, 32], width_multiplier: 0.25}"
                         : "{input_shape: [3, 8, 8], width: 4, cells_per_stage: 1}",
                     "<fuzz>"));
      const tandem::ComputeGraph graph = made->to_graph(made->sample(rng));
      tandem::Network network(graph);
      tandem::write_onnx_model(path, graph, network.parameters());
      std::ifstream in(path, std::ios::binary);
      seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::filesystem::remove(path);
    return seeds;
  });
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const tandem::hw::CostModel& systolic = model();
  const std::string bytes = tandem_fuzz::text_of(data, size);
  tandem_fuzz::fuzz_one([&] {
    const tandem::ComputeGraph graph = tandem::parse_onnx_network(bytes, "<fuzz>");
    (void)graph.total_macs();
    (void)graph.total_params();
    (void)systolic.evaluate(graph);
  });
  return 0;
}
