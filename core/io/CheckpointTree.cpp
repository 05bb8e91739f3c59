#include "io/CheckpointTree.h"

#include <algorithm>
#include <stdexcept>
#include <unordered_map>

namespace basin {
namespace {

using Kind = PickleValue::Kind;

constexpr std::size_t kMaxEntries = std::size_t(1) << 22;
constexpr int kMaxDepth = 100;
constexpr std::size_t kMaxItemsOnOneLine = 32;

// Keys under which training scripts usually keep the weights, most telling first.
const char* const kCommonWeightKeys[] = {"state_dict", "model_state", "model_state_dict",
                                         "model",      "net",         "ema"};

std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

std::string keyText(const PickleValue& key, std::size_t index) {
    if (key.kind == Kind::String) return key.text;
    if (key.isScalar()) return describePickleValue(key);
    return "<key " + std::to_string(index) + ">";
}

// [1, 2, 'a'] for lists of scalars and strings, which read best on one line
// (an optimizer's param_groups[i]['params'], betas, milestones).
bool isSimple(const PickleValue& v) {
    return v.isScalar() || v.kind == Kind::String;
}
std::string oneLine(const PickleValue& v) {
    const char* open = v.kind == Kind::Tuple ? "(" : v.kind == Kind::Set ? "{" : "[";
    const char* close = v.kind == Kind::Tuple ? ")" : v.kind == Kind::Set ? "}" : "]";
    std::string s = open;
    for (std::size_t i = 0; i < v.items.size() && i < kMaxItemsOnOneLine; ++i) {
        const PickleValue& item = *v.items[i];
        s += (i ? ", " : "");
        s += item.kind == Kind::String ? "'" + item.text + "'" : describePickleValue(item);
    }
    if (v.items.size() > kMaxItemsOnOneLine) {
        s += ", ... (" + std::to_string(v.items.size()) + " items)";
    }
    if (v.kind == Kind::Tuple && v.items.size() == 1) s += ",";
    return s + close;
}

struct Candidate {
    std::string path;
    std::size_t tensors = 0;
    bool direct = false;  // holds tensors itself, not only nested dicts of them
    std::size_t order = 0;
};

struct Summary {
    bool stateDictLike = false;
    std::size_t tensors = 0;
};

class Flattener {
public:
    Flattener(Checkpoint& out) : out_(out) {}

    Summary visit(const PickleValue& v, const std::string& path, int depth) {
        if (++visits_ > kMaxEntries) {
            throw std::runtime_error(out_.path + ": the saved object expands to more than " +
                                     std::to_string(kMaxEntries) +
                                     " entries (one object referenced very many times?)");
        }
        if (depth > kMaxDepth) return note(path, "(nested too deeply to show)");
        if (std::find(onPath_.begin(), onPath_.end(), &v) != onPath_.end()) {
            return note(path, "(refers to an enclosing object)");
        }
        switch (v.kind) {
            case Kind::Tensor:
                out_.tensors.push_back({path, v.tensor});
                return {true, 1};
            case Kind::Dict:
                return dict(v, path, depth);
            case Kind::List:
            case Kind::Tuple:
            case Kind::Set:
                return sequence(v, path, depth);
            case Kind::Object: {
                note(path, describePickleValue(v));
                if (!v.state || v.state->kind != Kind::Dict || v.state->entries.empty()) return {};
                // An object's attributes (argparse.Namespace: the arguments) as its children.
                onPath_.push_back(&v);
                const Summary s = dict(*v.state, path, depth + 1, false);
                onPath_.pop_back();
                return {false, s.tensors};
            }
            default:
                return note(path, describePickleValue(v));
        }
    }

    std::vector<Candidate> candidates;

private:
    Summary note(const std::string& path, std::string text) {
        out_.metadata.emplace_back(path, std::move(text));
        return {};
    }

    Summary dict(const PickleValue& v, const std::string& path, int depth, bool mayBeRoot = true) {
        if (v.entries.empty()) return note(path, "{}");
        // A key set twice (only a crafted file does that) counts once, last value wins.
        std::vector<std::string> keys;
        std::unordered_map<std::string, std::size_t> last;
        for (std::size_t i = 0; i < v.entries.size(); ++i) {
            keys.push_back(keyText(*v.entries[i].first, i));
            last[keys.back()] = i;
        }
        onPath_.push_back(&v);
        bool stringKeys = true, onlyWeights = true, direct = false;
        std::size_t tensors = 0;
        for (std::size_t i = 0; i < v.entries.size(); ++i) {
            if (last[keys[i]] != i) continue;
            const PickleValue& value = *v.entries[i].second;
            const Summary s = visit(value, join(path, keys[i]), depth + 1);
            tensors += s.tensors;
            stringKeys = stringKeys && v.entries[i].first->kind == Kind::String;
            if (value.kind == Kind::Tensor) {
                direct = true;
            } else if (value.kind != Kind::Dict || !s.stateDictLike) {
                onlyWeights = false;
            }
        }
        onPath_.pop_back();
        const bool like = stringKeys && onlyWeights && tensors > 0;
        if (like && mayBeRoot) candidates.push_back({path, tensors, direct, candidates.size()});
        return {like, tensors};
    }

    Summary sequence(const PickleValue& v, const std::string& path, int depth) {
        if (std::all_of(v.items.begin(), v.items.end(),
                        [](const PickleValue* item) { return isSimple(*item); })) {
            return note(path, oneLine(v));
        }
        onPath_.push_back(&v);
        std::size_t tensors = 0;
        for (std::size_t i = 0; i < v.items.size(); ++i)
            tensors += visit(*v.items[i], join(path, std::to_string(i)), depth + 1).tensors;
        onPath_.pop_back();
        return {false, tensors};
    }

    Checkpoint& out_;
    std::vector<const PickleValue*> onPath_;
    std::size_t visits_ = 0;
};

int commonKeyRank(const std::string& key) {
    const int n = int(std::size(kCommonWeightKeys));
    for (int i = 0; i < n; ++i) {
        if (key == kCommonWeightKeys[i]) return i;
    }
    return n;
}

// Best first: the root when it is itself a state dict; the common keys at the
// top level, then deeper; the others by how many tensors they hold; the root
// last when it only wraps state dicts ({'model': ..., 'ema': ...}).
std::vector<std::string> rankWeightRoots(std::vector<Candidate> all) {
    std::vector<Candidate> kept;
    for (const Candidate& c : all) {
        const bool inside = std::any_of(all.begin(), all.end(), [&](const Candidate& d) {
            return d.direct && &d != &c &&
                   (d.path.empty() ? !c.path.empty() : c.path.rfind(d.path + ".", 0) == 0);
        });
        if (!inside) kept.push_back(c);
    }
    const int n = int(std::size(kCommonWeightKeys));
    auto rank = [n](const Candidate& c) -> std::pair<int, long long> {
        if (c.path.empty()) return {c.direct ? 0 : 4, 0};
        if (commonKeyRank(c.path) < n) return {1, commonKeyRank(c.path)};
        const std::size_t dot = c.path.rfind('.');
        const int tail = commonKeyRank(dot == std::string::npos ? c.path : c.path.substr(dot + 1));
        if (tail < n) return {2, tail};
        return {3, -static_cast<long long>(c.tensors)};
    };
    std::stable_sort(kept.begin(), kept.end(),
                     [&](const Candidate& a, const Candidate& b) { return rank(a) < rank(b); });
    std::vector<std::string> roots;
    for (const Candidate& c : kept)
        roots.push_back(c.path);
    return roots;
}

}  // namespace

Checkpoint checkpointFromPickle(const PickleValue& root, const std::string& path,
                                CheckpointFormat format) {
    Checkpoint checkpoint;
    checkpoint.path = path;
    checkpoint.format = format;
    Flattener flattener(checkpoint);
    flattener.visit(root, "", 0);
    checkpoint.weightRoots = rankWeightRoots(flattener.candidates);
    if (checkpoint.weightRoots.empty() && !checkpoint.tensors.empty()) {
        checkpoint.weightRoots.push_back("");  // a list of tensors, a lone tensor
    }
    return checkpoint;
}

}  // namespace basin
