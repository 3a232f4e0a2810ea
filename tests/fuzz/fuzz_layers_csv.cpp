// Fuzz target: a LAYERS.csv (`tandem hw eval --layers`, hwmodels/workload.cpp parse_layers_csv),
// then every parsed layer is costed by a systolic and an Eyeriss model.
// Seeds: data/hwmodels/example_layers.csv and tests/fuzz/corpus/fuzz_layers_csv/.
// Links: tandem_hwmodels
#include "core/config_node.hpp"
#include "hwmodels/cost_model.hpp"
#include "hwmodels/workload.hpp"
#include "fuzz_support.hpp"

namespace {
const std::vector<std::unique_ptr<tandem::hw::CostModel>>& models() {
  static const std::vector<std::unique_ptr<tandem::hw::CostModel>> all = [] {
    tandem::hw::register_builtin_cost_models();
    std::vector<std::unique_ptr<tandem::hw::CostModel>> made;
    for (const char* yaml : {"{model: systolic, rows: 16, cols: 16}", "{model: eyeriss}"})
      made.push_back(tandem::hw::create_cost_model(tandem::ConfigNode::parse(yaml, "<fuzz>")));
    return made;
  }();
  return all;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& cost_models = models();
  const std::string text = tandem_fuzz::text_of(data, size);
  tandem_fuzz::fuzz_one([&] {
    const auto layers = tandem::hw::parse_layers_csv(text, "<fuzz>");
    for (const auto& model : cost_models) (void)model->evaluate(layers);
  });
  return 0;
}
