// Fuzzes the restricted pickle machine and the flattening of its object tree
// into a Checkpoint (cycles, shared references, deep nesting). Persistent ids
// resolve to a small fixed storage so tensor views are exercised too. Bad
// input must throw std::runtime_error, never crash, hang or allocate hugely.

#include <cstdint>
#include <stdexcept>

#include "io/CheckpointTree.h"
#include "io/Pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto storage = basin::Storage::allocate(64);
    const basin::PersistentLoader loader = [](const basin::PickleValue& pid) {
        if (pid.kind != basin::PickleValue::Kind::Tuple) throw std::runtime_error("bad id");
        return basin::TypedStorage{basin::DType::Float32, storage, "fuzz/data/0"};
    };
    try {
        const basin::PickleDocument doc = basin::parsePickle(data, size, "fuzz.pkl", loader);
        const basin::Checkpoint c = basin::checkpointFromPickle(doc.root(), "fuzz.pkl");
        for (const auto& t : c.tensors)
            t.tensor.validate(t.name);
        (void)basin::describePickleValue(doc.root());
    } catch (const std::exception&) {
    }
    return 0;
}
