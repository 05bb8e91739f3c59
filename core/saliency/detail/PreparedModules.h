#pragma once
// Inside core only (includes libtorch): the modules saliency runs on, kept
// between calls for the same model at the same weights.
//
// Each call used to copy the model's methods (detail::withOwnMethods) and, for
// many-pass methods, freeze the copy (torch::jit::freeze: BatchNorm folded
// into the convolution before it, parameters turned into constants that
// autograd does not follow). The first pass of a fresh copy also builds its
// graph executor's plan. On a small CNN that preparation cost more than the
// gradient pass itself. A cache keeps, per model, the copy and the frozen
// copy for the weights they were made from.
//
// The key is the model's module object (held weakly: a module freed and a new
// one allocated at the same address cannot match) and a fingerprint of every
// attribute of every submodule: tensor contents (XXH64-style hash of the
// bytes, with dtype and shape), scalars, strings. Contents, not version
// counters: Basin sets weights through raw data pointers (WeightVector) and
// through `.data()`, neither of which bumps a tensor's version. Hashing reads
// the weights once per call, about 4 GB/s on the development machine: 0.03 ms
// for bench_saliency's CNN (100 KB) against 2.3 ms for its gradient pass,
// roughly 12 ms for resnet18's 45 MB against a pass of hundreds.

#include <torch/script.h>

#include <cstdint>

namespace basin::detail {

enum class Preparation {
    Copy,    // withOwnMethods, eval mode: the module tree (CAM methods read layers)
    Frozen,  // torch::jit::freeze of the copy (the copy when the model cannot be frozen)
    // Frozen when these weights were prepared before (a second call at the
    // same probe), else the copy: freezing costs more than one pass saves.
    FrozenWhenRepeated,
};

// The module a saliency run uses for `module` at its current weights. Safe to
// call from several threads; the returned module may be shared with other
// callers (running forward on it concurrently is fine).
torch::jit::Module preparedModule(const torch::jit::Module& module, Preparation preparation);

// The fingerprint the cache keys on (exposed for tests and benchmarks).
std::uint64_t moduleFingerprint(const torch::jit::Module& module);

// Drops every cached module (tests; freeing memory).
void forgetPreparedModules();

}  // namespace basin::detail
