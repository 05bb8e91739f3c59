#pragma once
// Layer-wise linear mode connectivity (Adilova et al. 2024, "Layer-wise
// Linear Mode Connectivity", ICLR): interpolate one layer at a time between
// two networks A and B while every other layer stays at A (or at B), and
// measure the barrier of each such path. Cumulative variants interpolate the
// first k layers together (the others at A), so the last cumulative row is
// the whole linear path.
//
// A layer is a module's tensors, grouped by the name before the last dot:
// "fc1" = fc1.weight + fc1.bias; "bn1" = bn1.weight, bn1.bias and its running
// statistics (BatchNorm buffers move with their layer). Layers are in module
// order (the order of their first tensor in the model).
//
// Rows, in this order, named for h5py and pandas users as "variant/layer":
//   at_a/<layer>        θ = θ_A except layer ℓ = (1 − t)·θ_A^ℓ + t·θ_B^ℓ
//   at_b/<layer>        θ = θ_B except layer ℓ = (1 − t)·θ_A^ℓ + t·θ_B^ℓ
//   cumulative/<layer>  layers 1..k (up to and including this one) interpolated,
//                       the others at θ_A
// Each row is a path of its own: its barrier (Barrier.h) is measured against
// the chord between its own ends (for at_a rows, θ_A and θ_A with layer ℓ
// from B), as Adilova et al. do. The result is the layers × t matrix a
// heatmap shows, per variant.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "connectivity/Barrier.h"
#include "connectivity/PathSamples.h"
#include "model/WeightVector.h"

namespace basin {

struct LayerGroup {
    std::string name;                  // "fc1", "layer1.0.bn1"
    std::vector<std::size_t> entries;  // indices into the vector's entries()
};

// The layers of a weight vector's layout, in module order.
std::vector<LayerGroup> layerGroups(const WeightVector& layout);

enum class LayerwiseVariant { OthersAtA, OthersAtB, Cumulative };
// "at_a", "at_b", "cumulative"
const char* layerwiseVariantName(LayerwiseVariant variant);

class LayerwiseLmc {
public:
    struct Row {
        LayerwiseVariant variant;
        std::size_t layer;  // index into layers()
    };

    // Throws std::invalid_argument when the layouts differ.
    LayerwiseLmc(WeightVector a, WeightVector b,
                 std::vector<LayerwiseVariant> variants = {LayerwiseVariant::OthersAtA,
                                                           LayerwiseVariant::OthersAtB,
                                                           LayerwiseVariant::Cumulative});

    const std::vector<LayerGroup>& layers() const { return layers_; }
    const std::vector<Row>& rows() const { return rows_; }
    // "at_a/fc1", … one per row.
    std::vector<std::string> rowNames() const;
    // The weights of row `row` at t.
    void weightsAt(std::size_t row, double t, WeightVector& out) const;

private:
    WeightVector a_, b_;
    std::vector<LayerGroup> layers_;
    std::vector<Row> rows_;
    // Per row, the entries it interpolates.
    std::vector<std::vector<std::size_t>> moving_;
};

struct LayerBarrier {
    std::string layer;
    LayerwiseVariant variant;
    Barrier train;
    std::optional<Barrier> test;
};

// The barrier of every row of a layer-wise result (rows named as
// LayerwiseLmc::rowNames(); a row with another name is skipped).
std::vector<LayerBarrier> layerBarriers(const PathSamples& samples);

}  // namespace basin
