#pragma once
// What the restricted pickle machine makes of REDUCE, NEWOBJ and BUILD: the
// few globals whose meaning Basin knows are interpreted from their arguments
// (never called); all others become opaque Objects.

#include <string>

#include "io/Pickle.h"

namespace basin::detail {

// The value `callable(*args)` stands for. `args` is a Tuple. Throws
// std::runtime_error (without the stream name; the caller adds it) for
// arguments that contradict a known global, e.g. a tensor view outside its
// storage.
PickleValue* applyCallable(PickleDocument& doc, const PickleValue& callable,
                           const PickleValue& args, const PickleLimits& limits);

// BUILD: gives `target` its state (obj.__setstate__(state) in Python).
void applyState(PickleValue& target, const PickleValue& state, const PickleLimits& limits);

}  // namespace basin::detail
