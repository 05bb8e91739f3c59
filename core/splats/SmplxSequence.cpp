#include "splats/SmplxSequence.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "io/Numpy.h"
#include "io/Pickle.h"
#include "util/MappedFile.h"

namespace basin {

namespace {

// A parameter as read: its values in row-major order and its shape.
struct Values {
    std::vector<double> data;
    std::vector<std::int64_t> shape;
};

// At most this many numbers per file: memo references let a small pickle
// name the same large list many times over.
constexpr std::size_t kMaxValues = std::size_t(1) << 24;

constexpr std::size_t kHandPose = 45;  // 15 joints × 3

void flatten(const PickleValue& v, std::vector<double>& out, const std::string& where, int depth,
             std::size_t& budget) {
    if (depth > 8) throw std::runtime_error(where + " is nested too deeply");
    auto take = [&](std::size_t n) {
        if (n > budget)
            throw std::runtime_error(where + " holds more than " + std::to_string(kMaxValues) +
                                     " numbers");
        budget -= n;
    };
    switch (v.kind) {
        case PickleValue::Kind::Int:
            take(1);
            out.push_back(double(v.integer));
            return;
        case PickleValue::Kind::Float:
            take(1);
            out.push_back(v.number);
            return;
        case PickleValue::Kind::Bool:
            take(1);
            out.push_back(v.boolean ? 1 : 0);
            return;
        case PickleValue::Kind::Tensor: {
            v.tensor.validate(where);
            take(std::size_t(v.tensor.numel()));
            const auto d = v.tensor.toDoubles();
            out.insert(out.end(), d.begin(), d.end());
            return;
        }
        case PickleValue::Kind::List:
        case PickleValue::Kind::Tuple:
            for (const PickleValue* item : v.items)
                flatten(*item, out, where, depth + 1, budget);
            return;
        default:
            throw std::runtime_error(where + " is not numeric (" + describePickleValue(v) + ")");
    }
}

Values valuesOf(const PickleValue& v, const std::string& where, std::size_t& budget) {
    Values out;
    flatten(v, out.data, where, 0, budget);
    if (v.kind == PickleValue::Kind::Tensor)
        out.shape = v.tensor.shape;
    else if (v.kind == PickleValue::Kind::List || v.kind == PickleValue::Kind::Tuple)
        out.shape = {std::int64_t(v.items.size())};
    return out;
}

std::map<std::string, Values> pickleDict(const std::uint8_t* data, std::size_t size,
                                         const std::string& path) {
    const PickleDocument doc = parsePickle(data, size, path);
    const PickleValue& root = doc.root();
    if (root.kind != PickleValue::Kind::Dict)
        throw std::runtime_error(path + " does not hold a dict of SMPL-X parameters (" +
                                 describePickleValue(root) + ")");
    std::map<std::string, Values> out;
    std::size_t budget = kMaxValues;
    static const char* known[] = {"global_orient", "body_pose",      "jaw_pose",        "leye_pose",
                                  "reye_pose",     "left_hand_pose", "right_hand_pose", "transl",
                                  "betas",         "expression"};
    for (const auto& entry : root.entries) {
        const PickleValue& key = *entry.first;
        if (key.kind != PickleValue::Kind::String) continue;
        if (std::find_if(std::begin(known), std::end(known),
                         [&](const char* k) { return key.text == k; }) == std::end(known))
            continue;
        out[key.text] = valuesOf(*entry.second, path + ": '" + key.text + "'", budget);
    }
    return out;
}

std::map<std::string, Values> npzDict(const std::uint8_t* data, std::size_t size,
                                      const std::string& path, double* fps) {
    std::map<std::string, Values> out;
    for (const auto& a : parseNpz(data, size, path)) {
        a.tensor.validate(path + ": '" + a.name + "'");
        if (a.name == "mocap_framerate" || a.name == "fps") {
            const auto d = a.tensor.toDoubles();
            if (d.size() == 1 && d[0] > 0 && fps) *fps = d[0];
            continue;
        }
        out[a.name] = {a.tensor.toDoubles(), a.tensor.shape};
    }
    return out;
}

bool endsWith(const std::string& s, const std::string& suffix) {
    if (s.size() < suffix.size()) return false;
    std::string tail = s.substr(s.size() - suffix.size());
    std::transform(tail.begin(), tail.end(), tail.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return tail == suffix;
}

// Natural order: runs of digits compare as numbers.
bool naturalLess(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        if (std::isdigit(static_cast<unsigned char>(a[i])) &&
            std::isdigit(static_cast<unsigned char>(b[j]))) {
            std::size_t ei = i, ej = j;
            while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei])))
                ++ei;
            while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej])))
                ++ej;
            std::string na = a.substr(i, ei - i), nb = b.substr(j, ej - j);
            na.erase(0, std::min(na.find_first_not_of('0'), na.size()));
            nb.erase(0, std::min(nb.find_first_not_of('0'), nb.size()));
            if (na.size() != nb.size()) return na.size() < nb.size();
            if (na != nb) return na < nb;
            i = ei;
            j = ej;
        } else {
            if (a[i] != b[j]) return a[i] < b[j];
            ++i;
            ++j;
        }
    }
    return a.size() - i < b.size() - j;
}

}  // namespace

std::vector<SmplxParameters> readSmplxParameters(const std::string& path, double* fps) {
    const MappedFile file = mapFile(path);
    return parseSmplxParameters(file.data, file.size, path, fps);
}

std::vector<SmplxParameters> parseSmplxParameters(const std::uint8_t* data, std::size_t bytes,
                                                  const std::string& path, double* fps) {
    const bool zip = bytes >= 4 && data[0] == 'P' && data[1] == 'K';
    const auto values = zip ? npzDict(data, bytes, path, fps) : pickleDict(data, bytes, path);
    auto get = [&](const char* key) -> const Values* {
        const auto it = values.find(key);
        return it == values.end() ? nullptr : &it->second;
    };
    if (!get("global_orient") && !get("body_pose"))
        throw std::runtime_error(path +
                                 " has neither 'global_orient' nor 'body_pose': not SMPL-X "
                                 "parameters");
    // Frames: from the first pose key present.
    std::size_t frames = 1;
    if (const Values* g = get("global_orient"))
        frames = g->data.size() / 3;
    else
        frames = get("body_pose")->data.size() / 63;
    if (frames == 0) throw std::runtime_error(path + ": the pose arrays hold no frame");

    std::vector<SmplxParameters> out(frames);
    // A per-frame vector of `size` values: T·size values, or size for all.
    auto perFrame = [&](const char* key, std::size_t size, auto assign) {
        const Values* v = get(key);
        if (!v) return;
        const std::size_t n = v->data.size();
        if (n != size && n != size * frames)
            throw std::runtime_error(path + ": '" + key + "' holds " + std::to_string(n) +
                                     " values, expected " + std::to_string(size) +
                                     " per frame for " + std::to_string(frames) + " frame(s)");
        for (std::size_t f = 0; f < frames; ++f) {
            const double* p = v->data.data() + (n == size ? 0 : f * size);
            for (std::size_t k = 0; k < size; ++k)
                if (!std::isfinite(p[k]))
                    throw std::runtime_error(path + ": '" + key +
                                             "' holds a value that is not finite");
            assign(out[f], p);
        }
    };
    auto vec3 = [](const double* p) { return Eigen::Vector3d(p[0], p[1], p[2]); };
    perFrame("global_orient", 3,
             [&](SmplxParameters& s, const double* p) { s.globalOrient = vec3(p); });
    perFrame("jaw_pose", 3, [&](SmplxParameters& s, const double* p) { s.jawPose = vec3(p); });
    perFrame("leye_pose", 3, [&](SmplxParameters& s, const double* p) { s.leftEyePose = vec3(p); });
    perFrame("reye_pose", 3,
             [&](SmplxParameters& s, const double* p) { s.rightEyePose = vec3(p); });
    perFrame("transl", 3, [&](SmplxParameters& s, const double* p) { s.transl = vec3(p); });
    perFrame("body_pose", 63,
             [&](SmplxParameters& s, const double* p) { s.bodyPose.assign(p, p + 63); });
    // Hand poses: 45 axis-angle values or k < 45 PCA coefficients per frame.
    const auto handWidth = [&](const char* key) -> std::size_t {
        const Values* v = get(key);
        if (!v) return 0;
        const std::size_t n = v->data.size();
        if (n == kHandPose || n == kHandPose * frames) return kHandPose;
        // A leading axis (an array of ≥ 2 dimensions or a nested list) of
        // one row per frame, or of one row for all frames.
        const bool leading =
            v->shape.size() >= 2 || (v->shape.size() == 1 && n > std::size_t(v->shape[0]));
        const std::size_t rows = leading ? std::size_t(v->shape[0]) : 1;
        if (rows != 1 && rows != frames)
            throw std::runtime_error(path + ": '" + key + "' has " + std::to_string(rows) +
                                     " rows for " + std::to_string(frames) + " frame(s)");
        const std::size_t k = n / rows;
        if (k == 0 || k > kHandPose || k * rows != n)
            throw std::runtime_error(path + ": '" + key + "' holds " + std::to_string(n) +
                                     " values, expected 45 axis-angle values or 1 to 45 PCA "
                                     "coefficients per frame for " +
                                     std::to_string(frames) + " frame(s)");
        return k;
    };
    if (const std::size_t k = handWidth("left_hand_pose"))
        perFrame("left_hand_pose", k,
                 [&](SmplxParameters& s, const double* p) { s.leftHandPose.assign(p, p + k); });
    if (const std::size_t k = handWidth("right_hand_pose"))
        perFrame("right_hand_pose", k,
                 [&](SmplxParameters& s, const double* p) { s.rightHandPose.assign(p, p + k); });
    // betas and expression: one row for all frames, or one per frame.
    for (const char* key : {"betas", "expression"}) {
        const Values* v = get(key);
        if (!v || v->data.empty()) continue;
        const bool rows = v->shape.size() == 2 && frames > 1 && std::size_t(v->shape[0]) == frames;
        const std::size_t size = rows ? v->data.size() / frames : v->data.size();
        for (double x : v->data)
            if (!std::isfinite(x))
                throw std::runtime_error(path + ": '" + key + "' holds a value that is not finite");
        for (std::size_t f = 0; f < frames; ++f) {
            const double* p = v->data.data() + (rows ? f * size : 0);
            (std::string(key) == "betas" ? out[f].betas : out[f].expression).assign(p, p + size);
        }
    }
    return out;
}

std::size_t SmplxSequence::frameAt(double seconds) const {
    if (frames.empty()) return 0;
    const double f = std::floor(seconds * fps);
    const double n = double(frames.size());
    const double wrapped = f - n * std::floor(f / n);
    return std::min(frames.size() - 1, std::size_t(wrapped));
}

SmplxSequence readSmplxSequence(const std::vector<std::string>& files) {
    SmplxSequence s;
    for (const auto& file : files) {
        auto frames = readSmplxParameters(file, &s.fps);
        for (auto& f : frames) {
            s.frames.push_back(std::move(f));
            s.files.push_back(file);
        }
    }
    return s;
}

SmplxSequence readSmplxSequenceFolder(const std::string& folder) {
    namespace fs = std::filesystem;
    std::error_code error;
    if (!fs::is_directory(folder, error))
        throw std::runtime_error(folder + " is not a folder of SMPL-X parameter files");
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder, error)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() &&
            (endsWith(name, ".pkl") || endsWith(name, ".pickle") || endsWith(name, ".npz")))
            names.push_back(name);
    }
    if (error) throw std::runtime_error("cannot list " + folder + ": " + error.message());
    if (names.empty())
        throw std::runtime_error(folder + " holds no .pkl, .pickle or .npz parameter files");
    std::sort(names.begin(), names.end(), naturalLess);
    std::vector<std::string> files;
    for (const auto& n : names)
        files.push_back((fs::path(folder) / n).string());
    return readSmplxSequence(files);
}

SmplxSequence expandHandPoses(const SmplxSequence& sequence, const SmplxModel& model,
                              bool addHandMean) {
    SmplxSequence out = sequence;
    for (std::size_t f = 0; f < out.frames.size(); ++f) {
        try {
            out.frames[f] = model.withFullHandPoses(out.frames[f], addHandMean);
        } catch (const std::invalid_argument& e) {
            const std::string where =
                f < out.files.size() ? out.files[f] : "frame " + std::to_string(f);
            throw std::invalid_argument(where + ": " + e.what());
        }
    }
    return out;
}

}  // namespace basin
