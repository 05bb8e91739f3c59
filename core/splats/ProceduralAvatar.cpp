#include "splats/ProceduralAvatar.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "splats/SmplxJoints.h"
#include "util/Pcg32.h"

namespace basin {

namespace {

using Vec = Eigen::Vector3d;

constexpr double kPi = 3.14159265358979323846;
constexpr double kShC0 = 0.28209479177387814;  // degree-0 SH constant

// Rest positions of the left-side and central joints in metres; the right
// side mirrors x.
std::map<std::string, Vec> leftAndCentreJoints() {
    std::map<std::string, Vec> p = {
        {"pelvis", {0, 0.95, 0}},
        {"spine1", {0, 1.05, -0.01}},
        {"spine2", {0, 1.18, -0.005}},
        {"spine3", {0, 1.26, 0}},
        {"neck", {0, 1.46, -0.02}},
        {"head", {0, 1.54, 0}},
        {"jaw", {0, 1.53, 0.03}},
        {"left_eye_smplhf", {0.032, 1.62, 0.082}},
        {"left_hip", {0.085, 0.88, 0}},
        {"left_knee", {0.095, 0.50, 0.005}},
        {"left_ankle", {0.10, 0.085, -0.03}},
        {"left_foot", {0.11, 0.04, 0.085}},
        {"left_collar", {0.07, 1.39, -0.01}},
        {"left_shoulder", {0.17, 1.41, -0.02}},
        {"left_elbow", {0.43, 1.41, -0.03}},
        {"left_wrist", {0.68, 1.41, -0.02}},
    };
    return p;
}

// Fingers of the left hand in T-pose, palm down: the first joint relative
// to the wrist, the pointing direction, three segment lengths (the last one
// ends at the fingertip) and the radius.
struct Finger {
    const char* name;
    Vec base;
    Vec direction;
    std::array<double, 3> lengths;
    double radius;
};

const std::array<Finger, 5>& leftFingers() {
    static const std::array<Finger, 5> fingers = {{
        {"index", {0.095, 0.005, 0.035}, {1, 0, 0.12}, {0.038, 0.025, 0.022}, 0.0095},
        {"middle", {0.098, 0.005, 0.012}, {1, 0, 0.03}, {0.042, 0.028, 0.024}, 0.0098},
        {"pinky", {0.083, 0.0, -0.030}, {1, 0, -0.15}, {0.030, 0.020, 0.019}, 0.0082},
        {"ring", {0.092, 0.003, -0.010}, {1, 0, -0.06}, {0.038, 0.026, 0.022}, 0.0092},
        {"thumb", {0.03, -0.012, 0.032}, {0.75, -0.2, 0.6}, {0.035, 0.032, 0.028}, 0.0110},
    }};
    return fingers;
}

Vec mirror(const Vec& v) {
    return {-v.x(), v.y(), v.z()};
}

// World rest positions of all 55 joints, in SMPL-X order.
std::vector<Vec> restJointPositions() {
    const auto& names = smplxJointNames();
    auto table = leftAndCentreJoints();
    for (const auto& f : leftFingers()) {
        Vec p = table.at("left_wrist") + f.base;
        const Vec d = f.direction.normalized();
        for (int k = 0; k < 3; ++k) {
            table["left_" + std::string(f.name) + std::to_string(k + 1)] = p;
            p += f.lengths[std::size_t(k)] * d;
        }
    }
    std::vector<Vec> out;
    for (const auto& name : names) {
        const auto it = table.find(name);
        if (it != table.end()) {
            out.push_back(it->second);
        } else {
            std::string left = name;
            left.replace(0, 5, "left");  // "right_…" → "left_…"
            out.push_back(mirror(table.at(left)));
        }
    }
    return out;
}

enum class Colour { Skin, Shirt, Trousers, Shoes, Eye, Head };

// A capsule (segment a→b, radius r0 → r1) or an ellipsoid (centre, semi-axes).
struct Shape {
    bool capsule = true;
    Vec a = Vec::Zero(), b = Vec::Zero();
    double r0 = 0, r1 = 0;
    Vec centre = Vec::Zero(), axes = Vec::Ones();
    int bone = 0;
    AvatarPart part = AvatarPart::Body;
    Colour colour = Colour::Skin;

    double area() const {
        if (capsule) {
            const double length = (b - a).norm();
            return kPi * (r0 + r1) * length + 2 * kPi * (r0 * r0 + r1 * r1);
        }
        // Knud Thomsen's approximation (relative error ≤ 1.1%).
        const double p = 1.6075;
        const double ap = std::pow(axes.x(), p), bp = std::pow(axes.y(), p),
                     cp = std::pow(axes.z(), p);
        return 4 * kPi * std::pow((ap * bp + ap * cp + bp * cp) / 3, 1 / p);
    }
};

Shape capsule(const Vec& a, const Vec& b, double r0, double r1, int bone, AvatarPart part,
              Colour colour) {
    Shape s;
    s.capsule = true;
    s.a = a;
    s.b = b;
    s.r0 = r0;
    s.r1 = r1;
    s.bone = bone;
    s.part = part;
    s.colour = colour;
    return s;
}

Shape ellipsoid(const Vec& centre, const Vec& axes, int bone, AvatarPart part, Colour colour) {
    Shape s;
    s.capsule = false;
    s.centre = centre;
    s.axes = axes;
    s.bone = bone;
    s.part = part;
    s.colour = colour;
    return s;
}

std::vector<Shape> bodyShapes(const Skeleton& skeleton, const std::vector<Vec>& p) {
    auto j = [&](const std::string& name) { return skeleton.at(name); };
    auto at = [&](const std::string& name) { return p[std::size_t(j(name))]; };
    using P = AvatarPart;
    using C = Colour;
    std::vector<Shape> s = {
        ellipsoid({0, 0.93, 0}, {0.165, 0.11, 0.11}, j("pelvis"), P::Body, C::Trousers),
        ellipsoid({0, 1.06, 0}, {0.145, 0.10, 0.10}, j("spine1"), P::Body, C::Shirt),
        ellipsoid({0, 1.18, 0}, {0.155, 0.10, 0.105}, j("spine2"), P::Body, C::Shirt),
        ellipsoid({0, 1.32, -0.005}, {0.175, 0.12, 0.11}, j("spine3"), P::Body, C::Shirt),
        capsule({0, 1.40, -0.02}, {0, 1.52, -0.01}, 0.055, 0.05, j("neck"), P::Body, C::Skin),
        ellipsoid({0, 1.61, 0.005}, {0.078, 0.105, 0.095}, j("head"), P::Face, C::Head),
        ellipsoid({0, 1.535, 0.035}, {0.05, 0.032, 0.045}, j("jaw"), P::Face, C::Skin),
    };
    for (const std::string side : {"left", "right"}) {
        const double sx = side == "left" ? 1 : -1;
        const std::string x = side + "_";
        s.push_back(capsule({sx * 0.03, 1.40, -0.015}, at(x + "shoulder"), 0.055, 0.055,
                            j(x + "collar"), P::Body, C::Shirt));
        s.push_back(capsule(at(x + "shoulder"), at(x + "elbow"), 0.05, 0.04, j(x + "shoulder"),
                            P::Body, C::Shirt));
        s.push_back(capsule(at(x + "elbow"), at(x + "wrist"), 0.04, 0.03, j(x + "elbow"), P::Body,
                            C::Skin));
        s.push_back(capsule(at(x + "hip"), at(x + "knee"), 0.08, 0.055, j(x + "hip"), P::Body,
                            C::Trousers));
        s.push_back(capsule(at(x + "knee"), at(x + "ankle"), 0.052, 0.036, j(x + "knee"), P::Body,
                            C::Trousers));
        s.push_back(capsule(at(x + "ankle") + Vec(0, -0.035, -0.03), at(x + "foot"), 0.045, 0.036,
                            j(x + "ankle"), P::Body, C::Shoes));
        s.push_back(capsule(at(x + "foot"), at(x + "foot") + Vec(0, -0.005, 0.075), 0.035, 0.03,
                            j(x + "foot"), P::Body, C::Shoes));
        s.push_back(ellipsoid(at(x + "eye_smplhf"), {0.013, 0.013, 0.013}, j(x + "eye_smplhf"),
                              P::Face, C::Eye));
        // The hand: palm and three segments per finger.
        s.push_back(ellipsoid(at(x + "wrist") + Vec(sx * 0.05, 0, 0.002), {0.055, 0.017, 0.045},
                              j(x + "wrist"), P::Hand, C::Skin));
        for (const auto& f : leftFingers()) {
            const Vec d =
                side == "left" ? f.direction.normalized() : mirror(f.direction.normalized());
            for (int k = 0; k < 3; ++k) {
                const int bone = j(x + f.name + std::to_string(k + 1));
                const Vec start = p[std::size_t(bone)];
                const Vec end = start + f.lengths[std::size_t(k)] * d;
                const double r = f.radius * (1 - 0.08 * k);
                s.push_back(capsule(start, end, r, r * 0.92, bone, P::Hand, C::Skin));
            }
        }
    }
    return s;
}

// A point on a shape's surface with its outward normal.
struct SurfacePoint {
    Vec position;
    Vec normal;
};

Vec randomDirection(Pcg32& rng) {
    const double z = rng.uniform(-1, 1);
    const double phi = rng.uniform(0, 2 * kPi);
    const double r = std::sqrt(std::max(0.0, 1 - z * z));
    return {r * std::cos(phi), r * std::sin(phi), z};
}

// Any unit vector perpendicular to n.
Vec perpendicular(const Vec& n) {
    const Vec helper = std::abs(n.x()) < 0.9 ? Vec(1, 0, 0) : Vec(0, 1, 0);
    return n.cross(helper).normalized();
}

SurfacePoint sample(const Shape& s, Pcg32& rng) {
    if (!s.capsule) {
        const Vec u = randomDirection(rng);
        const Vec normal = u.cwiseQuotient(s.axes).normalized();
        return {s.centre + s.axes.cwiseProduct(u), normal};
    }
    const Vec axis = (s.b - s.a).normalized();
    const double length = (s.b - s.a).norm();
    const double side = kPi * (s.r0 + s.r1) * length;
    const double caps = 2 * kPi * (s.r0 * s.r0 + s.r1 * s.r1);
    if (rng.uniform() * (side + caps) < side) {
        // Along the side, t drawn with density ∝ r(t) by rejection.
        const double rmax = std::max(s.r0, s.r1);
        double t = 0, r = 0;
        do {
            t = rng.uniform();
            r = s.r0 + (s.r1 - s.r0) * t;
        } while (rng.uniform() * rmax > r);
        const Vec e1 = perpendicular(axis);
        const Vec e2 = axis.cross(e1);
        const double phi = rng.uniform(0, 2 * kPi);
        const Vec n = std::cos(phi) * e1 + std::sin(phi) * e2;
        return {s.a + t * length * axis + r * n, n};
    }
    // A hemispherical cap, chosen by its area.
    Vec n = randomDirection(rng);
    const bool atA = rng.uniform() * (s.r0 * s.r0 + s.r1 * s.r1) < s.r0 * s.r0;
    const double along = n.dot(axis);
    if ((atA && along > 0) || (!atA && along < 0)) n -= 2 * along * axis;
    return {(atA ? s.a : s.b) + (atA ? s.r0 : s.r1) * n, n};
}

Vec colourOf(const Shape& s, const SurfacePoint& sp) {
    switch (s.colour) {
        case Colour::Skin:
            return {0.87, 0.68, 0.56};
        case Colour::Shirt:
            return {0.24, 0.36, 0.62};
        case Colour::Trousers:
            return {0.20, 0.20, 0.26};
        case Colour::Shoes:
            return {0.10, 0.09, 0.09};
        case Colour::Eye:
            return sp.normal.z() > 0.6 ? Vec(0.08, 0.06, 0.05) : Vec(0.92, 0.92, 0.9);
        case Colour::Head: {
            const Vec q = sp.position - s.centre;
            const bool hair =
                q.y() > 0.035 || q.z() < -0.035 || (q.y() > 0.01 && std::abs(q.x()) > 0.06);
            return hair ? Vec(0.24, 0.16, 0.10) : Vec(0.87, 0.68, 0.56);
        }
    }
    return {0.5, 0.5, 0.5};
}

// Each bone's segment for distances: from the joint to its child (the mean
// of several children), to the fingertip or toe for leaves.
std::vector<std::pair<Vec, Vec>> boneSegments(const Skeleton& skeleton,
                                              const std::vector<Shape>& shapes,
                                              const std::vector<Vec>& p) {
    std::vector<std::pair<Vec, Vec>> segments(std::size_t(skeleton.size()));
    for (int j = 0; j < skeleton.size(); ++j) {
        const auto children = skeleton.children(j);
        Vec end = p[std::size_t(j)];
        if (!children.empty()) {
            end = Vec::Zero();
            for (int c : children)
                end += p[std::size_t(c)];
            end /= double(children.size());
        }
        segments[std::size_t(j)] = {p[std::size_t(j)], end};
    }
    // Leaves end where their own capsule ends (fingertips, toes).
    for (const auto& s : shapes)
        if (s.capsule && skeleton.children(s.bone).empty())
            segments[std::size_t(s.bone)] = {s.a, s.b};
    return segments;
}

double segmentDistance(const Vec& x, const std::pair<Vec, Vec>& seg) {
    const Vec d = seg.second - seg.first;
    const double len2 = d.squaredNorm();
    const double t = len2 > 0 ? std::clamp((x - seg.first).dot(d) / len2, 0.0, 1.0) : 0.0;
    return (x - (seg.first + t * d)).norm();
}

// Splat counts per shape: the part's share split by surface area (largest
// remainders), at least one per shape.
std::vector<std::size_t> shapeCounts(const std::vector<Shape>& shapes,
                                     const ProceduralAvatarOptions& o) {
    const std::array<double, 3> shares = {1 - o.handShare - o.faceShare, o.handShare, o.faceShare};
    std::vector<std::size_t> counts(shapes.size(), 1);
    std::size_t assigned = shapes.size();
    std::array<double, 3> partArea{};
    for (const auto& s : shapes)
        partArea[std::size_t(s.part)] += s.area();
    std::vector<std::pair<double, std::size_t>> remainders;
    const double free = double(o.splatCount - shapes.size());
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        const auto part = std::size_t(shapes[i].part);
        const double exact = free * shares[part] * shapes[i].area() / partArea[part];
        const auto whole = std::size_t(exact);
        counts[i] += whole;
        assigned += whole;
        remainders.push_back({exact - double(whole), i});
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; assigned < o.splatCount; ++k, ++assigned)
        ++counts[remainders[k % remainders.size()].second];
    return counts;
}

float logit(double p) {
    return float(std::log(p / (1 - p)));
}

}  // namespace

Skeleton proceduralAvatarSkeleton() {
    const auto& names = smplxJointNames();
    const auto& parents = smplxParents();
    const auto p = restJointPositions();
    Skeleton skeleton;
    for (std::size_t j = 0; j < names.size(); ++j) {
        const int parent = parents[j];
        skeleton.addJoint(names[j], parent, parent < 0 ? p[j] : Vec(p[j] - p[std::size_t(parent)]));
    }
    return skeleton;
}

Avatar makeProceduralAvatar(const ProceduralAvatarOptions& o) {
    if (o.splatCount < 1000)
        throw std::invalid_argument("the procedural avatar needs at least 1000 splats, not " +
                                    std::to_string(o.splatCount));
    if (!(o.handShare >= 0 && o.faceShare >= 0 && o.handShare + o.faceShare < 1))
        throw std::invalid_argument(
            "the procedural avatar's hand and face shares must be ≥ 0 and sum to less than 1");
    Avatar avatar;
    avatar.skeleton = proceduralAvatarSkeleton();
    const Skeleton& skeleton = avatar.skeleton;
    const auto joints = skeleton.restPositions();
    const auto shapes = bodyShapes(skeleton, joints);
    const auto counts = shapeCounts(shapes, o);
    const auto segments = boneSegments(skeleton, shapes, joints);

    // Candidate bones per shape: its own, its parent and its children; the
    // eyes move only themselves.
    auto isEye = [](int j) { return j == kSmplxLeftEye || j == kSmplxRightEye; };
    std::vector<std::vector<int>> candidates(shapes.size());
    std::array<double, 3> partArea{};
    std::array<std::size_t, 3> partCount{};
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        const int bone = shapes[i].bone;
        candidates[i] = {bone};
        if (!isEye(bone)) {
            if (skeleton.joint(bone).parent >= 0)
                candidates[i].push_back(skeleton.joint(bone).parent);
            for (int c : skeleton.children(bone))
                if (!isEye(c)) candidates[i].push_back(c);
        }
        partArea[std::size_t(shapes[i].part)] += shapes[i].area();
        partCount[std::size_t(shapes[i].part)] += counts[i];
    }

    GaussianCloud& cloud = avatar.cloud;
    const std::size_t n = o.splatCount;
    cloud.positions.reserve(3 * n);
    cloud.logScales.reserve(3 * n);
    cloud.rawRotations.reserve(4 * n);
    cloud.opacityLogits.reserve(n);
    cloud.sh.reserve(3 * n);
    cloud.shDegree = 0;
    SplatQuantity part{"part", {}}, bone{"bone", {}};
    Pcg32 rng(o.seed, 7);
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        const Shape& shape = shapes[i];
        const auto partIndex = std::size_t(shape.part);
        // Spacing of the part's splats: area per splat.
        const double spacing = std::sqrt(partArea[partIndex] / double(partCount[partIndex]));
        for (std::size_t k = 0; k < counts[i]; ++k) {
            const SurfacePoint sp = sample(shape, rng);
            for (int c = 0; c < 3; ++c)
                cloud.positions.push_back(float(sp.position[c]));
            // Flat discs on the surface: two tangent scales, a thin normal one.
            const double tangent = 0.85 * spacing * rng.uniform(0.8, 1.25);
            const double stretch = rng.uniform(0.8, 1.25);
            cloud.logScales.push_back(float(std::log(tangent * stretch)));
            cloud.logScales.push_back(float(std::log(tangent / stretch)));
            cloud.logScales.push_back(float(std::log(0.25 * spacing)));
            Eigen::Matrix3d frame;
            const Vec t1 = perpendicular(sp.normal);
            const double spin = rng.uniform(0, 2 * kPi);
            const Vec u = std::cos(spin) * t1 + std::sin(spin) * sp.normal.cross(t1);
            frame.col(0) = u;
            frame.col(1) = sp.normal.cross(u);
            frame.col(2) = sp.normal;
            const Eigen::Quaterniond q(frame);
            cloud.rawRotations.insert(cloud.rawRotations.end(),
                                      {float(q.w()), float(q.x()), float(q.y()), float(q.z())});
            cloud.opacityLogits.push_back(logit(rng.uniform(0.85, 0.97)));
            const Vec colour = colourOf(shape, sp);
            for (int c = 0; c < 3; ++c) {
                const double jitter = rng.uniform(-0.03, 0.03);
                cloud.sh.push_back(float((std::clamp(colour[c] + jitter, 0.0, 1.0) - 0.5) / kShC0));
            }
            // Skinning weights: inverse distance to the candidate bones.
            std::vector<std::pair<int, double>> pairs;
            for (int b : candidates[i]) {
                const double d = segmentDistance(sp.position, segments[std::size_t(b)]);
                pairs.push_back({b, 1 / std::pow(d + 0.01, 4)});
            }
            avatar.weights.append(std::move(pairs));
            part.values.push_back(float(partIndex));
            bone.values.push_back(float(avatar.weights.dominantBone(avatar.weights.size() - 1)));
        }
    }
    cloud.quantities.push_back(std::move(part));
    cloud.quantities.push_back(std::move(bone));
    cloud.activate();
    cloud.validate();
    avatar.validate();
    return avatar;
}

}  // namespace basin
