#pragma once
// Inside core only (includes libtorch): the bytes of a torch.save zip file
// (PyTorch >= 1.6 format: archive/data.pkl plus one record per storage)
// holding `value`, as Python's torch.load reads it.
//
// torch::pickle_save writes the same archive but wraps every dict in
// torch.jit._pickle.restore_type_tag(dict, "Dict[str, Tensor]") so
// TorchScript can recover static types. Python resolves that global; a
// restricted reader that never calls unknown globals (Basin's own) would see
// an opaque value instead of the state dict. These checkpoints are for
// Python and Basin, not for TorchScript, so aggregates are written untagged:
// plain dicts, lists and tuples, exactly as torch.save would.

#include <torch/script.h>

#include <vector>

namespace basin::detail {

std::vector<char> torchSaveBytes(const c10::IValue& value);

}  // namespace basin::detail
