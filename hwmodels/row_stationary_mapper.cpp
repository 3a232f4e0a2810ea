// Row-stationary mapper: access counts of one RS tiling and the exhaustive search over the
// tilings (see row_stationary_mapper.hpp for the map space and sources).
#include "hwmodels/row_stationary_mapper.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace tandem::hw {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Per-group loop bounds of a layer in RS terms.
struct RsShape {
  double groups = 1;  // independent (group, batch) instances
  std::int64_t c = 1, m = 1, r = 1, s = 1, e = 1, f = 1, h = 1, w = 1, stride = 1;
};

RsShape rs_shape(const LayerWorkload& layer) {
  RsShape x;
  if (layer.type == LayerType::fc) {
    x.groups = layer.n;
    x.c = std::int64_t{layer.c} * layer.h * layer.w;
    x.m = layer.m;
    return x;
  }
  x.groups = double(layer.groups) * layer.n;
  x.c = layer.c / layer.groups;
  x.m = layer.m / layer.groups;
  x.r = layer.r;
  x.s = layer.s;
  x.e = layer.out_h();
  x.f = layer.out_w();
  x.h = layer.h;
  x.w = layer.w;
  x.stride = layer.stride;
  return x;
}

// The tile sizes worth trying for a loop of `extent` split in blocks of at most `limit`: for each
// block count k, the smallest block ceil(extent / k) (larger blocks with the same count only pad).
std::vector<int> tile_candidates(std::int64_t extent, std::int64_t limit) {
  std::vector<int> out;
  if (limit < 1) return out;
  std::int64_t k = ceil_div(extent, std::min(limit, extent));
  while (k <= extent) {
    const std::int64_t value = ceil_div(extent, k);
    out.push_back(static_cast<int>(value));
    if (value == 1) break;
    k = ceil_div(extent, value - 1);  // first k whose block is smaller
  }
  return out;
}

}  // namespace

std::string to_string(MapperObjective objective) {
  switch (objective) {
    case MapperObjective::energy: return "energy";
    case MapperObjective::latency: return "latency";
    case MapperObjective::edp: return "edp";
  }
  return "edp";
}

std::string RowStationaryMapping::describe() const {
  return "rs e=" + std::to_string(e) + " p=" + std::to_string(p) + " q=" + std::to_string(q) +
         " sets=" + std::to_string(sets_vertical) + "x" + std::to_string(sets_horizontal) +
         (row_folds > 1 ? " rfold=" + std::to_string(row_folds) : "") +
         " passes=" + std::to_string(static_cast<long long>(passes));
}

bool evaluate_row_stationary(const LayerWorkload& layer, const RowStationaryArray& array,
                             const EnergyTable& energy, int e, int p, int q,
                             RowStationaryMapping& out) {
  const RsShape x = rs_shape(layer);
  if (q * x.s > array.ifmap_spad_words || std::int64_t{p} * q * x.s > array.weight_spad_words ||
      p > array.psum_spad_words || e > array.pe_cols || e > x.e || p > x.m || q > x.c)
    return false;
  const std::int64_t row_folds = ceil_div(x.r, array.pe_rows);
  const std::int64_t rows_per_set = ceil_div(x.r, row_folds);
  const std::int64_t n_v = array.pe_rows / rows_per_set;
  const std::int64_t n_h = array.pe_cols / e;
  const std::int64_t n_mb = ceil_div(x.m, p), n_cb = ceil_div(x.c, q), n_eb = ceil_div(x.e, e);

  RowStationaryMapping& mp = out;
  mp.e = e;
  mp.p = p;
  mp.q = q;
  mp.sets_vertical = static_cast<int>(n_v);
  mp.sets_horizontal = static_cast<int>(n_h);
  mp.row_folds = static_cast<int>(row_folds);
  // Vertical replicas take (group, filter block) items, horizontal ones output-row blocks.
  const double vertical_items = x.groups * double(n_mb);
  mp.passes = std::ceil(vertical_items / double(n_v)) * double(ceil_div(n_eb, n_h)) *
              double(n_cb) * double(row_folds);
  mp.cycles = mp.passes * double(p) * q * x.s * x.f;

  const double macs = static_cast<double>(layer.macs());
  // GLB: an ifmap tile (q channels x input rows of an e block) is read once per group of n_v
  // filter blocks (multicast to the vertical replicas); weights once per group of n_h row blocks;
  // psums written once per channel block (and row fold) and read back for all but the first.
  const double rows_in =
      double(std::min<std::int64_t>(x.h, (e - 1) * x.stride + x.r));
  const double ifmap_glb = x.groups * double(x.c) * double(n_eb) * rows_in * double(x.w) *
                           double(ceil_div(n_mb, n_v));
  const double weight_glb =
      x.groups * double(x.m * x.c * x.r * x.s) * double(ceil_div(n_eb, n_h));
  const double ofmap = x.groups * double(x.m * x.e * x.f);
  const double accumulations = double(n_cb * row_folds);
  mp.glb_reads = ifmap_glb + weight_glb + ofmap * (accumulations - 1);
  mp.glb_writes = ofmap * accumulations;
  // NoC deliveries, per PE of every set-pass: its ifmap row (q channels x w), its filter rows
  // (p x q x S) and its p x F partial sums passed up the column / out to the GLB.
  const double set_passes = x.groups * double(n_mb * n_cb * n_eb * row_folds);
  const double pes_per_set = double(rows_per_set * e);
  const double ifmap_noc = set_passes * pes_per_set * q * double(x.w);
  const double weight_noc = set_passes * pes_per_set * double(p) * q * x.s;
  const double psum_noc = set_passes * pes_per_set * double(p) * x.f;
  mp.noc_deliveries = ifmap_noc + weight_noc + psum_noc;
  mp.ifmap_spad_writes = ifmap_noc;
  mp.ifmap_spad_reads = macs;
  mp.weight_spad_writes = weight_noc;
  mp.weight_spad_reads = macs;
  mp.psum_spad_reads = macs;
  mp.psum_spad_writes = macs;

  const double word = array.word_bytes;
  mp.on_chip_energy_pj = macs * energy.mac + mp.ifmap_spad_reads * energy.ifmap_spad_read +
                         mp.ifmap_spad_writes * energy.ifmap_spad_write +
                         mp.weight_spad_reads * energy.weight_spad_read +
                         mp.weight_spad_writes * energy.weight_spad_write +
                         mp.psum_spad_reads * energy.psum_spad_read +
                         mp.psum_spad_writes * energy.psum_spad_write +
                         mp.noc_deliveries * energy.noc +
                         mp.glb_reads * word * energy.sram_read +
                         mp.glb_writes * word * energy.sram_write;
  return true;
}

bool search_row_stationary(const LayerWorkload& layer, const RowStationaryArray& array,
                           const EnergyTable& energy, MapperObjective objective,
                           double dram_cycles, double dram_energy_pj, RowStationaryMapping& best,
                           int* mappings_tried) {
  const RsShape x = rs_shape(layer);
  const std::vector<int> es = tile_candidates(x.e, array.pe_cols);
  const std::vector<int> ps = tile_candidates(x.m, array.psum_spad_words);
  const std::vector<int> qs = tile_candidates(x.c, array.ifmap_spad_words / x.s);
  double best_score = std::numeric_limits<double>::infinity();
  int tried = 0;
  RowStationaryMapping candidate;
  for (int e : es)
    for (int p : ps)
      for (int q : qs) {
        if (!evaluate_row_stationary(layer, array, energy, e, p, q, candidate)) continue;
        ++tried;
        const double cycles = candidate.cycles + std::max(0.0, dram_cycles - candidate.cycles);
        const double joules = candidate.on_chip_energy_pj + dram_energy_pj;
        const double score = objective == MapperObjective::energy    ? joules
                             : objective == MapperObjective::latency ? cycles + 1e-12 * joules
                                                                     : joules * cycles;
        if (score < best_score) {
          best_score = score;
          best = candidate;
        }
      }
  if (mappings_tried) *mappings_tried = tried;
  return tried > 0;
}

}  // namespace tandem::hw
