// `tandem hw eval|models`: cost-model evaluation from the command line.
//   tandem hw models
//       lists the cost models and their parameters with defaults
//   tandem hw eval --accelerator ACC.yaml (--layers LAYERS.csv | --space NAME --arch STRING |
//                  --onnx MODEL.onnx) [--space-options YAML] [--format table|csv|json]
//       one row per layer plus a `total` row (columns below); the table format adds the area,
//       the feasibility and the model's parameters after the table.
#include <iostream>

#include "core/text.hpp"
#include "experiments/cli/cli_commands.hpp"
#include "experiments/cli/cli_options.hpp"
#include "experiments/cli/space_argument.hpp"
#include "experiments/runner/experiment.hpp"
#include "experiments/cli/table_output.hpp"
#include "hwmodels/cost_model.hpp"
#include "spaces/onnx_network.hpp"

namespace tandem {
namespace {

TextTable report_table(const hw::CostReport& report) {
  TextTable table{{"name", "macs", "compute_cycles", "stall_cycles", "total_cycles",
                   "utilization", "latency_ms", "energy_pj", "mac_pj", "rf_pj", "noc_pj",
                   "sram_pj", "dram_pj", "dram_read_bytes", "dram_write_bytes",
                   "sram_read_bytes", "sram_write_bytes", "feasible", "mapping"},
                  {}};
  auto row = [&](const hw::LayerCost& c) {
    table.rows.push_back({c.name,
                          std::to_string(c.macs),
                          format_number(c.compute_cycles),
                          format_number(c.stall_cycles),
                          format_number(c.total_cycles()),
                          format_number(c.utilization),
                          format_number(c.latency_s * 1e3),
                          format_number(c.energy.total_pj()),
                          format_number(c.energy.mac_pj),
                          format_number(c.energy.rf_pj),
                          format_number(c.energy.noc_pj),
                          format_number(c.energy.sram_pj),
                          format_number(c.energy.dram_pj),
                          format_number(c.dram.read_bytes),
                          format_number(c.dram.write_bytes),
                          format_number(c.sram.read_bytes),
                          format_number(c.sram.write_bytes),
                          c.feasible ? "yes" : "no: " + c.reason,
                          c.mapping});
  };
  for (const auto& layer : report.layers) row(layer);
  row(report.total);
  return table;
}

int hw_models() {
  for (const auto& name : hw::cost_model_registry().names()) {
    std::cout << name << ": " << hw::cost_model_registry().help(name) << "\n";
    TextTable table{{"parameter", "default", "meaning"}, {}};
    for (const auto& p : hw::cost_model_parameters(name))
      table.rows.push_back({p.name, p.default_value.empty() ? "(required)" : p.default_value,
                            p.help});
    table.rows.push_back({"pooling", "skip", "cost pooling layers: skip | depthwise | dense"});
    print_table(std::cout, table, "table");
    std::cout << "\n";
  }
  return 0;
}

}  // namespace

int cli_hw(int argc, char** argv) {
  cxxopts::Options options(argv[0],
                           "Analytic accelerator cost models.\n  tandem hw models\n"
                           "  tandem hw eval --accelerator ACC.yaml (--layers LAYERS.csv | "
                           "--space NAME --arch STRING | --onnx MODEL.onnx) "
                           "[--format table|csv|json]");
  options.add_options()("accelerator", "accelerator YAML (model: systolic|eyeriss|...)",
                        cxxopts::value<std::string>())(
      "layers", "LAYERS.csv: name,type,n,c,h,w,m,r,s,stride,pad,groups",
      cxxopts::value<std::string>())("space", "search space whose candidate to lower",
                                     cxxopts::value<std::string>())(
      "arch", "candidate string of --space", cxxopts::value<std::string>())(
      "onnx", "a network given as an ONNX model (docs/hwmodels.md lists the operators)",
      cxxopts::value<std::string>())(
      "space-options", "YAML mapping of space options, e.g. '{width: 32}'",
      cxxopts::value<std::string>())("format", "table | csv | json",
                                     cxxopts::value<std::string>()->default_value("table"));
  cxxopts::ParseResult args;
  if (!parse_command_line(options, argc, argv, {"COMMAND"}, args)) return 0;
  const std::string command = args["COMMAND"].as<std::string>();
  if (command == "models") return hw_models();
  if (command != "eval")
    throw Error("tandem hw: unknown command '" + command + "'" +
                did_you_mean(command, {"eval", "models"}) + "; commands: eval, models");

  const std::string format = args["format"].as<std::string>();
  check_output_format(format);
  if (!args.count("accelerator"))
    throw Error("tandem hw eval: --accelerator ACC.yaml is required");
  auto model = hw::load_cost_model(args["accelerator"].as<std::string>());
  const bool from_layers = args.count("layers") > 0;
  const bool from_space = args.count("space") > 0 || args.count("arch") > 0;
  const bool from_onnx = args.count("onnx") > 0;
  if (int(from_layers) + int(from_space) + int(from_onnx) != 1)
    throw Error("tandem hw eval: give one of --layers LAYERS.csv, --space NAME --arch STRING, "
                "--onnx MODEL.onnx");
  hw::CostReport report;
  if (from_onnx) {
    report = model->evaluate(read_onnx_network(args["onnx"].as<std::string>()));
  } else if (from_layers) {
    report = model->evaluate(hw::load_layers_csv(args["layers"].as<std::string>()));
  } else {
    if (!args.count("space") || !args.count("arch"))
      throw Error("tandem hw eval: --space and --arch go together");
    const auto [space, candidate] = read_space_architecture(args);
    report = model->evaluate(space->to_graph(candidate));
  }
  print_table(std::cout, report_table(report), format);
  if (format == "table") {
    std::cout << "\nmodel: " << model->describe() << "\n"
              << "latency_ms: " << format_number(report.latency_ms())
              << "  energy_mj: " << format_number(report.energy_mj())
              << "  area_mm2: " << format_number(report.area_mm2)
              << "  feasible: " << (report.feasible ? "yes" : "no (" + report.reason + ")")
              << "\n";
  }
  return 0;
}

}  // namespace tandem
