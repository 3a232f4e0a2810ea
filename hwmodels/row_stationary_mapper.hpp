// Row-stationary mapper: the legal row-stationary (RS) tilings of one conv / FC layer on an
// Eyeriss-like PE array, their access counts per level, and an exhaustive search over that small
// map space for minimum energy, latency or energy-delay product (Timeloop's mapper idea, with
// Eyeriss' RS dataflow as the only loop-nest template).
//
// Sources: Chen, Emer, Sze, "Eyeriss: A Spatial Architecture for Energy-Efficient Dataflow for
// Convolutional Neural Networks", ISCA 2016 (RS dataflow, logical PE sets of R x E, folding and
// replication, access-count framework); Parashar et al., "Timeloop", ISPASS 2019 (mapper =
// search of a constrained map space with an access-count model per mapping).
//
// The map space, per layer (C' = C/groups input channels, M' = M/groups filters per group):
//   e  output rows per PE set (set = R rows x e columns), 1 <= e <= min(E, pe_cols)
//   p  filters per PE, q channels per PE, with q*S <= ifmap spad, p*q*S <= weight spad,
//      p <= psum spad (the spad capacities in words)
//   sets are replicated floor(pe_rows / R) times vertically (different filter blocks, sharing
//   the ifmap by multicast) and floor(pe_cols / e) times horizontally (different output rows);
//   R > pe_rows is folded into ceil(R / pe_rows) passes.
// Only the smallest p (q, e) per block count is tried: larger ones add padding, never speed.
#pragma once

#include <cstdint>
#include <string>

#include "hwmodels/energy_table.hpp"
#include "hwmodels/workload.hpp"

namespace tandem::hw {

enum class MapperObjective { energy, latency, edp };
std::string to_string(MapperObjective objective);

struct RowStationaryArray {
  int pe_rows = 12;
  int pe_cols = 14;
  int ifmap_spad_words = 12;
  int weight_spad_words = 224;
  int psum_spad_words = 24;
  int word_bytes = 2;
};

// One RS mapping and the access counts it implies (words unless stated).
struct RowStationaryMapping {
  int e = 0, p = 0, q = 0;          // tiling factors
  int sets_vertical = 0;            // n_v
  int sets_horizontal = 0;          // n_h
  int row_folds = 1;                // ceil(R / pe_rows)
  double passes = 0;
  double cycles = 0;                // passes * p * q * S * F
  double glb_reads = 0, glb_writes = 0;
  double noc_deliveries = 0;        // ifmap + weight + psum deliveries to / between PEs
  double ifmap_spad_reads = 0, ifmap_spad_writes = 0;
  double weight_spad_reads = 0, weight_spad_writes = 0;
  double psum_spad_reads = 0, psum_spad_writes = 0;
  double on_chip_energy_pj = 0;     // spads + NoC + GLB + MAC under the table
  std::string describe() const;     // "e=7 p=16 q=4 sets=4x2 passes=..."
};

// Evaluates one mapping; returns false when the tiling violates a spad capacity.
bool evaluate_row_stationary(const LayerWorkload& layer, const RowStationaryArray& array,
                             const EnergyTable& energy, int e, int p, int q,
                             RowStationaryMapping& out);

// The best mapping for `objective`, given the DRAM stall cycles of the layer's GLB tiling
// (latency = cycles + max(0, dram_cycles - cycles)). Returns false if no mapping is legal.
// `mappings_tried` (optional) receives the number of legal mappings evaluated.
bool search_row_stationary(const LayerWorkload& layer, const RowStationaryArray& array,
                           const EnergyTable& energy, MapperObjective objective,
                           double dram_cycles, double dram_energy_pj, RowStationaryMapping& best,
                           int* mappings_tried = nullptr);

}  // namespace tandem::hw
