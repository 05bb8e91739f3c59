#pragma once
// Puts a model's parameters and buffers back as they were when the guard was
// made, however the scope ends (success, cancellation, error): jobs that move
// a model's weights in place (landscape grids, LMC paths) leave it as they
// found it.

#include <vector>

#include "model/Model.h"

namespace basin {

class ModelStateGuard {
public:
    explicit ModelStateGuard(Model& model) : model_(model), state_(model.stateDict()) {}
    ~ModelStateGuard() {
        try {
            model_.applyStateDict(state_);
        } catch (...) {
            // The weights stay moved; nothing better to do in a destructor.
        }
    }
    ModelStateGuard(const ModelStateGuard&) = delete;
    ModelStateGuard& operator=(const ModelStateGuard&) = delete;

private:
    Model& model_;
    std::vector<NamedTensor> state_;
};

}  // namespace basin
