// A trained network kept on disk (see kept_network.hpp).
#include "trainers/kept_network.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "trainers/pytorch_export.hpp"

namespace tandem {

void keep_network(const std::string& folder, const KeptNetworkShape& shape,
                  const ComputeGraph& graph, ParameterSet& parameters) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) throw Error(folder + ": cannot create the folder (" + error.message() + ")");
  const std::string path = folder + "/network.txt";
  std::ofstream out(path, std::ios::trunc);
  out.precision(17);
  out << "input " << shape.input.channels << " " << shape.input.height << " " << shape.input.width
      << "\nclasses " << shape.classes << "\nwidth " << shape.width << "\ncells_per_stage "
      << shape.cells_per_stage << "\nwidth_multiplier " << shape.width_multiplier << "\n";
  if (!out.flush()) throw Error(path + ": cannot write it");
  write_pytorch_weights(folder + "/weights.bin", graph, parameters);
}

KeptNetworkShape read_kept_shape(const std::string& folder) {
  const std::string path = folder + "/network.txt";
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open it (no weights were kept there)");
  KeptNetworkShape shape;
  int seen = 0;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    bool ok = true;
    if (key == "input") ok = static_cast<bool>(fields >> shape.input.channels >> shape.input.height >> shape.input.width);
    else if (key == "classes") ok = static_cast<bool>(fields >> shape.classes);
    else if (key == "width") ok = static_cast<bool>(fields >> shape.width);
    else if (key == "cells_per_stage") ok = static_cast<bool>(fields >> shape.cells_per_stage);
    else if (key == "width_multiplier") ok = static_cast<bool>(fields >> shape.width_multiplier);
    else ok = false;
    if (!ok) throw Error(path + ":" + std::to_string(number) + ": cannot read '" + line + "'");
    ++seen;
  }
  if (seen != 5 || shape.input.channels <= 0 || shape.classes <= 0)
    throw Error(path + ": expected input, classes, width, cells_per_stage and width_multiplier");
  return shape;
}

void load_kept_weights(const std::string& folder, const ComputeGraph& graph,
                       ParameterSet& parameters) {
  read_pytorch_weights(folder + "/weights.bin", graph, parameters);
}

}  // namespace tandem
