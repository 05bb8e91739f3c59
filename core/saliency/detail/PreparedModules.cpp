#include "saliency/detail/PreparedModules.h"

#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/torch.h>

#include <cstring>
#include <list>
#include <memory>
#include <mutex>
#include <optional>

#include "model/detail/ScriptGraph.h"

namespace basin::detail {
namespace {

// XXH64 (Yann Collet's xxHash, 64-bit variant): four independent lanes of
// multiply-rotate rounds over 32-byte stripes, so it runs near memory speed.
constexpr std::uint64_t P1 = 0x9E3779B185EBCA87ULL, P2 = 0xC2B2AE3D27D4EB4FULL,
                        P3 = 0x165667B19E3779F9ULL, P4 = 0x85EBCA77C2B2AE63ULL,
                        P5 = 0x27D4EB2F165667C5ULL;

std::uint64_t rotl(std::uint64_t x, int r) {
    return (x << r) | (x >> (64 - r));
}
std::uint64_t read64(const unsigned char* p) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
std::uint32_t read32(const unsigned char* p) {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
std::uint64_t round64(std::uint64_t acc, std::uint64_t input) {
    return rotl(acc + input * P2, 31) * P1;
}
std::uint64_t merge(std::uint64_t acc, std::uint64_t lane) {
    return (acc ^ round64(0, lane)) * P1 + P4;
}

std::uint64_t xxh64(const void* data, std::size_t size, std::uint64_t seed) {
    const auto* p = static_cast<const unsigned char*>(data);
    const unsigned char* const end = p + size;
    std::uint64_t h;
    if (size >= 32) {
        std::uint64_t v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
        for (; p + 32 <= end; p += 32) {
            v1 = round64(v1, read64(p));
            v2 = round64(v2, read64(p + 8));
            v3 = round64(v3, read64(p + 16));
            v4 = round64(v4, read64(p + 24));
        }
        h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
        h = merge(merge(merge(merge(h, v1), v2), v3), v4);
    } else {
        h = seed + P5;
    }
    h += std::uint64_t(size);
    for (; p + 8 <= end; p += 8)
        h = rotl(h ^ round64(0, read64(p)), 27) * P1 + P4;
    if (p + 4 <= end) {
        h = rotl(h ^ (std::uint64_t(read32(p)) * P1), 23) * P2 + P3;
        p += 4;
    }
    for (; p < end; ++p)
        h = rotl(h ^ (std::uint64_t(*p) * P5), 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

struct Fingerprint {
    std::uint64_t h = 0;
    void bytes(const void* data, std::size_t size) { h = xxh64(data, size, h); }
    template <typename T>
    void value(const T& v) {
        bytes(&v, sizeof v);
    }
    void text(const std::string& s) {
        value(s.size());
        bytes(s.data(), s.size());
    }

    void add(const c10::IValue& v) {
        value(int(v.tagKind().size()));
        text(v.tagKind());
        if (v.isTensor()) {
            const torch::Tensor t = v.toTensor();
            if (!t.defined()) return;
            value(int(t.scalar_type()));
            value(int(t.device().type()));
            for (std::int64_t s : t.sizes())
                value(s);
            const torch::Tensor c = t.detach().cpu().contiguous();
            bytes(c.data_ptr(), std::size_t(c.numel()) * c.element_size());
        } else if (v.isInt()) {
            value(v.toInt());
        } else if (v.isDouble()) {
            value(v.toDouble());
        } else if (v.isBool()) {
            value(v.toBool());
        } else if (v.isString()) {
            text(v.toStringRef());
        } else if (v.isNone() || v.isObject()) {
            // Submodules are walked by named_attributes itself.
        } else if (v.isList()) {
            for (const c10::IValue& e : v.toListRef())
                add(e);
        } else if (v.isTuple()) {
            for (const c10::IValue& e : v.toTupleRef().elements())
                add(e);
        } else if (v.isGenericDict()) {
            for (const auto& e : v.toGenericDict()) {
                add(e.key());
                add(e.value());
            }
        } else if (v.isPtrType()) {
            // Anything else: its identity (a changed value of an unknown kind
            // would go unnoticed only if changed in place).
            value(v.internalToPointer());
        }
    }
};

struct Entry {
    explicit Entry(const c10::intrusive_ptr<c10::ivalue::Object>& object) : owner(object) {}
    c10::weak_intrusive_ptr<c10::ivalue::Object> owner;
    std::uint64_t fingerprint = 0;
    torch::jit::Module copy;
    std::once_flag freezing;
    std::optional<torch::jit::Module> frozen;
};

// One entry per model (its latest weights), the most recently used first.
constexpr std::size_t kModels = 4;
std::mutex cacheMutex;
std::list<std::shared_ptr<Entry>> cache;

bool owns(const Entry& e, const c10::ivalue::Object* object) {
    return !e.owner.expired() && e.owner._unsafe_get_target() == object;
}

torch::jit::Module frozenOf(Entry& e) {
    std::call_once(e.freezing, [&] {
        try {
            torch::NoGradGuard noGrad;
            // Freezing inlines method calls only with the optimiser on (a module
            // scripted by Python then keeps calls to methods freezing dropped).
            torch::jit::GraphOptimizerEnabledGuard optimizing{true};
            e.frozen = torch::jit::freeze(e.copy);
        } catch (const std::exception&) {
            e.frozen.reset();  // the model cannot be frozen: it runs unfrozen
        }
    });
    return e.frozen ? *e.frozen : e.copy;
}

}  // namespace

std::uint64_t moduleFingerprint(const torch::jit::Module& module) {
    Fingerprint f;
    for (const auto& a : module.named_attributes(/*recurse=*/true)) {
        f.text(a.name);
        f.add(a.value);
    }
    return f.h;
}

torch::jit::Module preparedModule(const torch::jit::Module& module, Preparation preparation) {
    const c10::ivalue::Object* object = module._ivalue().get();
    const std::uint64_t fingerprint = moduleFingerprint(module);
    std::shared_ptr<Entry> entry;
    bool repeated = false;
    {
        const std::lock_guard<std::mutex> lock(cacheMutex);
        cache.remove_if([](const std::shared_ptr<Entry>& e) { return e->owner.expired(); });
        for (auto it = cache.begin(); it != cache.end(); ++it)
            if (owns(**it, object) && (*it)->fingerprint == fingerprint) {
                entry = *it;
                cache.splice(cache.begin(), cache, it);
                repeated = true;
                break;
            }
    }
    if (!entry) {
        entry = std::make_shared<Entry>(module._ivalue());
        entry->fingerprint = fingerprint;
        entry->copy = withOwnMethods(module);
        entry->copy.eval();
        const std::lock_guard<std::mutex> lock(cacheMutex);
        cache.remove_if([&](const std::shared_ptr<Entry>& e) { return owns(*e, object); });
        cache.push_front(entry);
        if (cache.size() > kModels) cache.pop_back();
    }
    switch (preparation) {
        case Preparation::Copy:
            return entry->copy;
        case Preparation::FrozenWhenRepeated:
            return repeated ? frozenOf(*entry) : entry->copy;
        case Preparation::Frozen:
            return frozenOf(*entry);
    }
    return entry->copy;
}

void forgetPreparedModules() {
    const std::lock_guard<std::mutex> lock(cacheMutex);
    cache.clear();
}

}  // namespace basin::detail
