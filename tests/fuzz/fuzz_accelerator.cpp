// Fuzz target: an accelerator description (the YAML of `tandem hw eval --accelerator`, a `hw`
// evaluator's model, and the description every accelerator space builds) through
// create_cost_model, then the model costs a few fixed layers (conv, depthwise conv, fully connected).
// Seeds: data/hwmodels/*.yaml and tests/fuzz/corpus/fuzz_accelerator/.
// Links: tandem_hwmodels
#include "core/config_node.hpp"
#include "hwmodels/cost_model.hpp"
#include "hwmodels/workload.hpp"
#include "fuzz_support.hpp"

namespace {
const std::vector<tandem::hw::LayerWorkload>& layers() {
  static const bool registered = (tandem::hw::register_builtin_cost_models(), true);
  (void)registered;
  static const std::vector<tandem::hw::LayerWorkload> fixed = tandem::hw::parse_layers_csv(
      "name,type,n,c,h,w,m,r,s,stride,pad,groups\n"
      "stem,conv,1,3,32,32,16,3,3,1,1,1\n"
      "dw,dwconv,1,16,16,16,16,3,3,2,1,16\n"
      "fc,fc,1,256,1,1,10,1,1,1,0,1\n",
      "<fuzz layers>");
  return fixed;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& costed = layers();
  const std::string text = tandem_fuzz::text_of(data, size);
  tandem_fuzz::fuzz_one([&] {
    auto model = tandem::hw::create_cost_model(tandem::ConfigNode::parse(text, "<fuzz>"));
    (void)model->evaluate(costed);
  });
  return 0;
}
