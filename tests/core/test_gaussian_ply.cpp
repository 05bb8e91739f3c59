// 3DGS PLY files: files written by numpy in the reference implementation's
// layout (save_ply: x y z nx ny nz f_dc f_rest opacity scale rot, f_rest from
// features_rest.transpose(1, 2)), EVA's extra properties, degrees 0–3, ASCII,
// big-endian and mixed property types in any order, read → write → read byte
// for byte, and every kind of bad input with the sentence it must produce.

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "BasinTest.h"
#include "PythonFixtures.h"
#include "splats/GaussianPly.h"
#include "splats/SplatFile.h"

using namespace basin;

namespace {

// Writes the fixture files into the working directory. For each PLY F:
// F.raw (the values in file order, float32), F.sh (N × K × 3, the SH as
// 3DGS holds them: features_dc then features_rest) and F.act (N × 8: exp
// scales, sigmoid opacity, normalized quaternion, computed in float64).
const char* kFixtures = R"PY(
import numpy as np
rng = np.random.default_rng(7)

def header(n, props, fmt="binary_little_endian"):
    h = "ply\nformat %s 1.0\nelement vertex %d\n" % (fmt, n)
    for t, name in props:
        h += "property %s %s\n" % (t, name)
    return (h + "end_header\n").encode()

def reference(n, degree, extras=()):
    K = (degree + 1) ** 2
    xyz = rng.normal(size=(n, 3)).astype(np.float32)
    normals = np.zeros((n, 3), np.float32)
    features_dc = rng.normal(scale=0.5, size=(n, 1, 3)).astype(np.float32)
    features_rest = rng.normal(scale=0.1, size=(n, K - 1, 3)).astype(np.float32)
    f_dc = features_dc.transpose(0, 2, 1).reshape(n, -1)
    f_rest = features_rest.transpose(0, 2, 1).reshape(n, -1)
    opacity = rng.uniform(-4, 4, size=(n, 1)).astype(np.float32)
    scale = rng.uniform(-6, 0, size=(n, 3)).astype(np.float32)
    rot = rng.normal(size=(n, 4)).astype(np.float32)
    cols = [xyz, normals, f_dc, f_rest]
    names = ["x", "y", "z", "nx", "ny", "nz"] + ["f_dc_%d" % i for i in range(3)] + \
            ["f_rest_%d" % i for i in range(f_rest.shape[1])]
    for e in extras:
        if e == "f_view_ind_0":
            cols.append(rng.integers(0, 3, size=(n, 1)).astype(np.float32))
        else:
            cols.append(rng.uniform(0, 1e-3, size=(n, 1)).astype(np.float32))
        names.append(e)
    cols += [opacity, scale, rot]
    names += ["opacity"] + ["scale_%d" % i for i in range(3)] + ["rot_%d" % i for i in range(4)]
    a = np.concatenate(cols, axis=1).astype(np.float32)
    sh = np.concatenate([features_dc, features_rest], axis=1)
    r = rot.astype(np.float64)
    act = np.concatenate([np.exp(scale.astype(np.float64)),
                          1 / (1 + np.exp(-opacity.astype(np.float64))),
                          r / np.linalg.norm(r, axis=1, keepdims=True)], axis=1)
    return names, a, sh, act

def save(path, names, a, sh, act, fmt="binary_little_endian"):
    with open(path, "wb") as f:
        f.write(header(len(a), [("float", nm) for nm in names], fmt))
        if fmt == "ascii":
            for row in a:
                f.write((" ".join(repr(float(v)) for v in row) + "\n").encode())
        else:
            f.write(a.astype("<f4" if fmt == "binary_little_endian" else ">f4").tobytes())
    a.astype(np.float32).tofile(path + ".raw")
    sh.astype(np.float32).tofile(path + ".sh")
    act.astype(np.float32).tofile(path + ".act")

for degree in range(4):
    save("deg%d.ply" % degree, *reference(23, degree))
ref = reference(40, 3)
save("ref3.ply", *ref)
save("eva.ply", *reference(31, 3, ["f_view_ind_0", "xyz_gradient_prev_0"]))
save("ascii1.ply", *reference(9, 1), fmt="ascii")
save("big3.ply", *ref, fmt="binary_big_endian")

# Mixed types in a shuffled order, little- and big-endian: doubles, uchar
# part labels, int bindings; the expected values are what float32 holds.
names, a, sh, act = reference(17, 1, ["f_view_ind_0", "binding_0"])
order = rng.permutation(len(names))
types = {"x": "double", "opacity": "double", "f_view_ind_0": "uchar", "binding_0": "int"}
np_types = {"float": "f4", "double": "f8", "uchar": "u1", "int": "i4"}
a[:, names.index("binding_0")] = rng.integers(-5, 100, size=17)
for suffix, endian in (("le", "<"), ("be", ">")):
    props = [(types.get(names[j], "float"), names[j]) for j in order]
    dtype = np.dtype([(nm, endian + np_types[t]) for t, nm in props])
    rows = np.zeros(17, dtype)
    for t, nm in props:
        rows[nm] = a[:, names.index(nm)]
    path = "typed_%s.ply" % suffix
    with open(path, "wb") as f:
        f.write(header(17, props, "binary_little_endian" if endian == "<" else "binary_big_endian"))
        f.write(rows.tobytes())
    a[:, order].astype(np.float32).tofile(path + ".raw")
    sh.tofile(path + ".sh")

# antimatter15/splat convert.py's .splat records for ref3.ply, in its order
# (largest exp(scale sum) · sigmoid(opacity) first).
names, a, sh, act = ref
col = {nm: i for i, nm in enumerate(names)}
v = lambda nm: a[:, col[nm]]
order = np.argsort(-np.exp(v("scale_0") + v("scale_1") + v("scale_2")) / (1 + np.exp(-v("opacity"))))
C0 = 0.28209479177387814
with open("ref3.splat", "wb") as f:
    for i in order:
        position = np.array([v("x")[i], v("y")[i], v("z")[i]], dtype=np.float32)
        scales = np.exp(np.array([v("scale_%d" % k)[i] for k in range(3)], dtype=np.float32))
        rot = np.array([v("rot_%d" % k)[i] for k in range(4)], dtype=np.float32)
        color = np.array([0.5 + C0 * v("f_dc_0")[i], 0.5 + C0 * v("f_dc_1")[i],
                          0.5 + C0 * v("f_dc_2")[i], 1 / (1 + np.exp(-v("opacity")[i]))])
        f.write(position.tobytes())
        f.write(scales.tobytes())
        f.write((color * 255).clip(0, 255).astype(np.uint8).tobytes())
        f.write(((rot / np.linalg.norm(rot)) * 128 + 128).clip(0, 255).astype(np.uint8).tobytes())
order.astype(np.int32).tofile("ref3.splat.order")
)PY";

std::vector<float> readFloatFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QByteArray bytes = f.readAll();
    std::vector<float> v(std::size_t(bytes.size()) / sizeof(float));
    std::memcpy(v.data(), bytes.constData(), v.size() * sizeof(float));
    return v;
}

QByteArray fileBytes(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The reference layout's property names for a degree, with extras before opacity.
std::vector<std::string> referenceNames(int degree, std::vector<std::string> extras = {}) {
    std::vector<std::string> names = {"x",  "y",      "z",      "nx",    "ny",
                                      "nz", "f_dc_0", "f_dc_1", "f_dc_2"};
    for (int m = 0; m < 3 * ((degree + 1) * (degree + 1) - 1); ++m)
        names.push_back("f_rest_" + std::to_string(m));
    names.insert(names.end(), extras.begin(), extras.end());
    for (const char* n :
         {"opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3"})
        names.push_back(n);
    return names;
}

// Splat i's stored value of a non-f_rest property, looked up by the test's
// own reading of the layout.
float storedValue(const GaussianCloud& c, const std::string& name, std::size_t i) {
    if (name == "x" || name == "y" || name == "z")
        return c.positions[3 * i + std::size_t(name[0] - 'x')];
    if (name == "opacity") return c.opacityLogits[i];
    if (name.rfind("scale_", 0) == 0) return c.logScales[3 * i + std::size_t(name[6] - '0')];
    if (name.rfind("rot_", 0) == 0) return c.rawRotations[4 * i + std::size_t(name[4] - '0')];
    if (name.rfind("f_dc_", 0) == 0)
        return c.sh[i * std::size_t(c.shCoefficientCount()) * 3 + std::size_t(name[5] - '0')];
    const SplatQuantity* q = c.quantity(name);
    return q ? q->values[i] : std::nanf("");
}

// A PLY header for `props` ("float x", "list uchar int vertex_indices", …).
std::string plyHeader(const std::string& format, std::size_t n,
                      const std::vector<std::string>& props, const std::string& before = "") {
    std::string h = "ply\nformat " + format + " 1.0\ncomment made by test_gaussian_ply\n" + before +
                    "element vertex " + std::to_string(n) + "\n";
    for (const auto& p : props)
        h += "property " + p + "\n";
    return h + "end_header\n";
}

std::vector<std::string> floatProps(const std::vector<std::string>& names) {
    std::vector<std::string> props;
    for (const auto& n : names)
        props.push_back("float " + n);
    return props;
}

// A degree-0 binary little-endian file declaring n vertices, followed by
// `values` (row-major float32 over referenceNames(0)), however many.
std::string degree0File(std::size_t n, const std::vector<float>& values) {
    std::string s = plyHeader("binary_little_endian", n, floatProps(referenceNames(0)));
    s.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
    return s;
}

// Plausible degree-0 rows: positions i, zero normals, scale −2, rot (1,0,0,0).
std::vector<float> degree0Rows(std::size_t n) {
    std::vector<float> v;
    for (std::size_t i = 0; i < n; ++i) {
        const float row[17] = {float(i), 0.5f,  -1.0f, 0,     0, 0, 0.1f, 0.2f, 0.3f,
                               0.0f,     -2.0f, -2.0f, -2.0f, 1, 0, 0,    0};
        v.insert(v.end(), row, row + 17);
    }
    return v;
}

GaussianCloud parse(const std::string& bytes, SplatLoadReport* report = nullptr) {
    return parseGaussianPly(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(),
                            "test.ply", report);
}

#define QVERIFY_THROWS_WITH(expr, text)                                                \
    do {                                                                               \
        bool thrown = false;                                                           \
        try {                                                                          \
            expr;                                                                      \
        } catch (const std::runtime_error& e) {                                        \
            thrown = true;                                                             \
            QVERIFY2(std::string(e.what()).find(text) != std::string::npos, e.what()); \
        }                                                                              \
        QVERIFY2(thrown, "no error for " #expr);                                       \
    } while (0)

}  // namespace

class TestGaussianPly : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString path(const QString& name) const { return dir_.filePath(name); }

    // Checks a fixture read: property order, stored values, SH, activations.
    void checkFixture(const QString& name, int degree, const std::vector<std::string>& names) {
        SplatLoadReport report;
        const GaussianCloud c = readGaussianPly(path(name).toStdString(), &report);
        const std::vector<float> raw = readFloatFile(path(name + ".raw"));
        const std::vector<float> sh = readFloatFile(path(name + ".sh"));
        const std::size_t p = names.size();
        const std::size_t n = raw.size() / p;
        QVERIFY(n > 0);
        QCOMPARE(c.size(), n);
        QCOMPARE(report.splatsInFile, n);
        QCOMPARE(report.dropped(), std::size_t(0));
        QCOMPARE(c.shDegree, degree);
        QVERIFY(c.propertyOrder == names);
        c.validate();
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < p; ++j) {
                if (names[j].rfind("f_rest_", 0) == 0) continue;  // through .sh below
                QCOMPARE(storedValue(c, names[j], i), raw[i * p + j]);
            }
        }
        // SH element by element against 3DGS's features_dc ++ features_rest.
        QCOMPARE(c.sh.size(), sh.size());
        for (std::size_t e = 0; e < sh.size(); ++e)
            QCOMPARE(c.sh[e], sh[e]);
        const std::vector<float> act = readFloatFile(path(name + ".act"));
        if (act.empty()) return;
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t k = 0; k < 3; ++k)
                QVERIFY(std::abs(c.scales[3 * i + k] - act[8 * i + k]) <= 1e-6f * act[8 * i + k]);
            QVERIFY(std::abs(c.opacities[i] - act[8 * i + 3]) <= 1e-6f);
            for (std::size_t k = 0; k < 4; ++k)
                QVERIFY(std::abs(c.rotations[4 * i + k] - act[8 * i + 4 + k]) <= 1e-6f);
        }
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const QString error = test::runPython(dir_.path(), kFixtures);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void referenceLayoutDegree3() { checkFixture("ref3.ply", 3, referenceNames(3)); }

    void degrees0To2() {
        for (int d = 0; d < 4; ++d)
            checkFixture(QString("deg%1.ply").arg(d), d, referenceNames(d));
        // Degree 1: f_rest_0..2 are red's 3 rest coefficients, f_rest_3..5
        // green's; the cloud holds coefficient k's RGB together.
        const GaussianCloud c = readGaussianPly(path("deg1.ply").toStdString());
        const std::vector<float> raw = readFloatFile(path("deg1.ply.raw"));
        const std::size_t p = referenceNames(1).size();
        for (std::size_t k = 1; k < 4; ++k) {
            for (std::size_t ch = 0; ch < 3; ++ch)
                QCOMPARE(c.sh[(2 * 4 + k) * 3 + ch], raw[2 * p + 9 + ch * 3 + (k - 1)]);
        }
    }

    void evaExtrasKeptInFileOrder() {
        const std::vector<std::string> names =
            referenceNames(3, {"f_view_ind_0", "xyz_gradient_prev_0"});
        checkFixture("eva.ply", 3, names);
        const GaussianCloud c = readGaussianPly(path("eva.ply").toStdString());
        QCOMPARE(c.quantities.size(), std::size_t(5));
        const char* expected[] = {"nx", "ny", "nz", "f_view_ind_0", "xyz_gradient_prev_0"};
        for (std::size_t q = 0; q < 5; ++q)
            QCOMPARE(c.quantities[q].name, std::string(expected[q]));
        for (float v : c.quantity("nx")->values)
            QCOMPARE(v, 0.0f);
        for (float v : c.quantity("f_view_ind_0")->values)
            QVERIFY(v == 0.0f || v == 1.0f || v == 2.0f);
    }

    void asciiFile() {
        SplatLoadReport report;
        readGaussianPly(path("ascii1.ply").toStdString(), &report);
        QCOMPARE(report.format, std::string("ascii"));
        checkFixture("ascii1.ply", 1, referenceNames(1));
    }

    void bigEndianFile() {
        SplatLoadReport report;
        readGaussianPly(path("big3.ply").toStdString(), &report);
        QCOMPARE(report.format, std::string("binary_big_endian"));
        checkFixture("big3.ply", 3, referenceNames(3));
    }

    void mixedTypesAnyOrder() {
        for (const char* file : {"typed_le.ply", "typed_be.ply"}) {
            const GaussianCloud c = readGaussianPly(path(file).toStdString());
            const std::vector<float> raw = readFloatFile(path(QString(file) + ".raw"));
            const std::vector<float> sh = readFloatFile(path(QString(file) + ".sh"));
            const std::size_t p = c.propertyOrder.size();
            QCOMPARE(p, referenceNames(1).size() + 2);
            QCOMPARE(c.size(), std::size_t(17));
            QCOMPARE(c.shDegree, 1);
            QVERIFY(c.propertyOrder != referenceNames(1, {"f_view_ind_0", "binding_0"}));
            for (std::size_t i = 0; i < c.size(); ++i) {
                for (std::size_t j = 0; j < p; ++j) {
                    if (c.propertyOrder[j].rfind("f_rest_", 0) == 0) continue;
                    QCOMPARE(storedValue(c, c.propertyOrder[j], i), raw[i * p + j]);
                }
            }
            for (std::size_t e = 0; e < sh.size(); ++e)
                QCOMPARE(c.sh[e], sh[e]);
            QVERIFY(c.quantity("binding_0"));
        }
    }

    void writeIsByteIdentical() {
        for (const char* file : {"ref3.ply", "eva.ply", "deg0.ply", "deg1.ply"}) {
            const GaussianCloud c = readGaussianPly(path(file).toStdString());
            const QString out = path(QString("out_") + file);
            writeGaussianPly(out.toStdString(), c);
            QCOMPARE(fileBytes(out), fileBytes(path(file)));
            const GaussianCloud again = readGaussianPly(out.toStdString());
            QVERIFY(again.sh == c.sh && again.positions == c.positions);
        }
        // The typed file comes back as floats in its own property order.
        const GaussianCloud typed = readGaussianPly(path("typed_be.ply").toStdString());
        writeGaussianPly(path("typed_out.ply").toStdString(), typed);
        const GaussianCloud back = readGaussianPly(path("typed_out.ply").toStdString());
        QVERIFY(back.propertyOrder == typed.propertyOrder);
        QVERIFY(back.rawRotations == typed.rawRotations);
        QVERIFY(back.quantity("binding_0")->values == typed.quantity("binding_0")->values);
    }

    void writeCloudMadeInMemory() {
        GaussianCloud c;
        c.shDegree = 2;
        const std::size_t n = 5;
        for (std::size_t i = 0; i < n; ++i) {
            c.positions.insert(c.positions.end(), {float(i), 1.0f, 2.0f});
            c.logScales.insert(c.logScales.end(), {-1.0f, -2.0f, -3.0f});
            c.rawRotations.insert(c.rawRotations.end(), {2.0f, 0.0f, 0.0f, 0.0f});
            c.opacityLogits.push_back(float(i) - 2.0f);
        }
        for (std::size_t e = 0; e < n * 9 * 3; ++e)
            c.sh.push_back(float(e) * 0.01f);
        c.quantities.push_back({"binding_0", {4, 3, 2, 1, 0}});
        writeGaussianPly(path("memory.ply").toStdString(), c);
        const GaussianCloud back = readGaussianPly(path("memory.ply").toStdString());
        QVERIFY(back.positions == c.positions && back.logScales == c.logScales);
        QVERIFY(back.sh == c.sh && back.opacityLogits == c.opacityLogits);
        QVERIFY(back.quantity("binding_0")->values == c.quantities[0].values);
        // The reference order: no normals, the quantity before opacity.
        std::vector<std::string> expected = referenceNames(2, {"binding_0"});
        expected.erase(expected.begin() + 3, expected.begin() + 6);
        QVERIFY(back.propertyOrder == expected);
        QCOMPARE(back.rotations[0], 1.0f);
    }

    void splatFileFromPython() {
        SplatLoadReport report;
        const GaussianCloud s = readSplatFile(path("ref3.splat").toStdString(), &report);
        const GaussianCloud ref = readGaussianPly(path("ref3.ply").toStdString());
        QFile orderFile(path("ref3.splat.order"));
        QVERIFY(orderFile.open(QIODevice::ReadOnly));
        const QByteArray orderBytes = orderFile.readAll();
        std::vector<std::int32_t> order(std::size_t(orderBytes.size()) / 4);
        std::memcpy(order.data(), orderBytes.constData(), order.size() * 4);
        QCOMPARE(s.size(), ref.size());
        QCOMPARE(report.format, std::string("splat"));
        QCOMPARE(s.shDegree, 0);
        constexpr double c0 = 0.28209479177387814;
        for (std::size_t j = 0; j < s.size(); ++j) {
            const std::size_t i = std::size_t(order[j]);
            for (std::size_t k = 0; k < 3; ++k) {
                QCOMPARE(s.positions[3 * j + k], ref.positions[3 * i + k]);
                QVERIFY(std::abs(s.scales[3 * j + k] - ref.scales[3 * i + k]) <=
                        2e-6f * ref.scales[3 * i + k]);
                // The converter truncates: the byte is below the colour by < 1/255.
                const double colour = 0.5 + c0 * ref.sh[i * 16 * 3 + k];
                const double read = 0.5 + c0 * s.sh[3 * j + k];
                if (colour > 0 && colour < 1) QVERIFY(std::abs(read - colour) <= 1.0 / 255 + 1e-6);
            }
            QVERIFY(std::abs(s.opacities[j] - ref.opacities[i]) <= 1.0f / 255 + 1e-6f);
            for (std::size_t k = 0; k < 4; ++k)
                QVERIFY(std::abs(s.rotations[4 * j + k] - ref.rotations[4 * i + k]) <= 0.02f);
        }
    }

    void splatRoundTrip() {
        const GaussianCloud ref = readGaussianPly(path("ref3.ply").toStdString());
        writeSplatFile(path("out.splat").toStdString(), ref);
        QCOMPARE(fileBytes(path("out.splat")).size(), qsizetype(32 * ref.size()));
        const GaussianCloud s = readSplatFile(path("out.splat").toStdString());
        QCOMPARE(s.size(), ref.size());
        constexpr double c0 = 0.28209479177387814;
        for (std::size_t i = 0; i < s.size(); ++i) {
            for (std::size_t k = 0; k < 3; ++k) {
                QCOMPARE(s.positions[3 * i + k], ref.positions[3 * i + k]);
                QVERIFY(std::abs(s.scales[3 * i + k] - ref.scales[3 * i + k]) <=
                        2e-6f * ref.scales[3 * i + k]);
                const double colour = std::clamp(0.5 + c0 * ref.sh[i * 16 * 3 + k], 0.0, 1.0);
                QVERIFY(std::abs(0.5 + c0 * s.sh[3 * i + k] - colour) <= 0.5 / 255 + 1e-6);
            }
            QVERIFY(std::abs(s.opacities[i] - ref.opacities[i]) <= 0.5f / 255 + 1e-6f);
            for (std::size_t k = 0; k < 4; ++k)
                QVERIFY(std::abs(s.rotations[4 * i + k] - ref.rotations[4 * i + k]) <= 0.01f);
        }
        const std::string odd(33, '\0');
        QVERIFY_THROWS_WITH(parseSplatFile(reinterpret_cast<const std::uint8_t*>(odd.data()),
                                           odd.size(), "odd.splat"),
                            "odd.splat: 33 bytes is not a whole number of 32-byte .splat records");
    }

    void cloudActivationsAndCovariance() {
        GaussianCloud c;
        // Splat 0: 90° about z (unnormalized), scales 1, 2, 3 → Σ = diag(4, 1, 9).
        // Splat 1: an arbitrary rotation; Σ's trace and determinant are those
        // of diag(scale²) whatever the rotation.
        const float h = std::sqrt(0.5f);
        c.positions = {0, 1, 2, -3, 5, 0.5f};
        c.logScales = {0, std::log(2.0f), std::log(3.0f), std::log(0.5f), 0, std::log(1.5f)};
        c.rawRotations = {2 * h, 0, 0, 2 * h, 0.3f, -0.5f, 0.8f, 0.1f};
        c.opacityLogits = {0.0f, 2.0f};
        c.sh.assign(6, 0.0f);
        c.activate();
        c.validate();
        QCOMPARE(c.opacities[0], 0.5f);
        QVERIFY(std::abs(c.opacities[1] - 1 / (1 + std::exp(-2.0f))) < 1e-7f);
        const std::array<float, 6> s0 = c.covariance(0);
        const float expected[6] = {4, 0, 0, 1, 0, 9};
        for (int k = 0; k < 6; ++k)
            QVERIFY2(std::abs(s0[k] - expected[k]) < 1e-5f, qPrintable(QString::number(k)));
        const std::array<float, 6> s = c.covariance(1);
        const double trace = s[0] + s[3] + s[5];
        const double det = s[0] * (s[3] * s[5] - s[4] * s[4]) - s[1] * (s[1] * s[5] - s[4] * s[2]) +
                           s[2] * (s[1] * s[4] - s[3] * s[2]);
        QVERIFY(std::abs(trace - (0.25 + 1 + 2.25)) < 1e-5);
        QVERIFY(std::abs(det - 0.25 * 1 * 2.25) < 1e-5);
        const std::array<float, 6> b = c.bounds();
        const std::array<float, 6> eb = {-3, 1, 0.5f, 0, 5, 2};
        QVERIFY(b == eb);
        // A zero quaternion activates to the identity rather than NaNs.
        c.rawRotations[4] = c.rawRotations[5] = c.rawRotations[6] = c.rawRotations[7] = 0;
        c.activate();
        QCOMPARE(c.rotations[4], 1.0f);
        QCOMPARE(c.rotations[5], 0.0f);
        // validate() names the array that does not fit.
        c.quantities.push_back({"binding_0", {1, 2, 3}});
        QVERIFY_THROWS_WITH(c.validate(), "quantity binding_0 holds 3 values, expected 1 × 2");
        c.quantities.clear();
        c.shDegree = 1;
        QVERIFY_THROWS_WITH(c.validate(), "sh holds 6 values, expected 12 × 2");
        c.shDegree = 4;
        QVERIFY_THROWS_WITH(c.validate(), "SH degree 4 is outside 0..3");
        QVERIFY_THROWS_WITH(writeGaussianPly(path("bad.ply").toStdString(), c),
                            "bad.ply: cannot write the cloud");
        QVERIFY(!QFile::exists(path("bad.ply")));
    }

    // ---- bad input -------------------------------------------------------------

    void missingPropertiesAreNamed() {
        std::vector<std::string> names = referenceNames(0);
        names.erase(std::find(names.begin(), names.end(), "opacity"));
        names.erase(std::find(names.begin(), names.end(), "rot_3"));
        const std::string file =
            plyHeader("binary_little_endian", 1, floatProps(names)) + std::string(15 * 4, '\0');
        QVERIFY_THROWS_WITH(parse(file), "test.ply: the vertex element lacks opacity, rot_3");
    }

    void headerCountBeyondData() {
        std::vector<float> rows = degree0Rows(7);
        QVERIFY_THROWS_WITH(parse(degree0File(10, rows)),
                            "test.ply: the header says 10 vertices, the file holds 7");
        // A truncated last row counts as missing.
        std::string cut = degree0File(7, rows);
        cut.resize(cut.size() - 3);
        QVERIFY_THROWS_WITH(parse(cut), "the header says 7 vertices, the file holds 6");
        // An absurd count is refused before anything is allocated.
        QVERIFY_THROWS_WITH(parse(degree0File(18446744073709551615ull, rows)),
                            "the header says 18446744073709551615 vertices, the file holds 7");
        std::string ascii = plyHeader("ascii", 4000000000000ull, floatProps(referenceNames(0)));
        for (int i = 0; i < 2 * 17; ++i)
            ascii += "1 ";
        QVERIFY_THROWS_WITH(parse(ascii),
                            "the header says 4000000000000 vertices, the file holds 2");
        std::string ascii3 = plyHeader("ascii", 3, floatProps(referenceNames(0)));
        for (int i = 0; i < 2 * 17 + 5; ++i)
            ascii3 += "1      ";  // wide enough that the count fits the bytes
        QVERIFY_THROWS_WITH(parse(ascii3), "the header says 3 vertices, the file holds 2");
        QVERIFY_THROWS_WITH(parse("ply\nformat ascii 1.0\nelement vertex 99999999999999999999999\n"
                                  "end_header\n"),
                            "not a non-negative integer");
    }

    void truncatedHeader() {
        const std::string full = degree0File(2, degree0Rows(2));
        QVERIFY_THROWS_WITH(parse(full.substr(0, 60)),
                            "test.ply: the PLY header ends before end_header (truncated file?)");
        QVERIFY_THROWS_WITH(parse(""), "test.ply: not a PLY file");
        QVERIFY_THROWS_WITH(parse("solid cube\n"), "test.ply: not a PLY file");
        QVERIFY_THROWS_WITH(parse("ply\nformat binary_little_endian 1.0\nelement vertex 1\n"
                                  "property float128 x\nend_header\n"),
                            "header line 4: unknown property type 'float128'");
        QVERIFY_THROWS_WITH(parse("ply\nelement vertex 0\nend_header\n"), "has no format line");
        // A header that never ends is not searched past 1 MiB.
        std::string endless = "ply\nformat ascii 1.0\n";
        while (endless.size() < (std::size_t(3) << 20))
            endless += "comment padding padding padding padding padding padding padding\n";
        QVERIFY_THROWS_WITH(parse(endless),
                            "the PLY header has no end_header in its first 1048576 bytes");
        QVERIFY_THROWS_WITH(parse(plyHeader("ascii", 0, floatProps(referenceNames(0)),
                                            "element face 1\nproperty list uchar int a\n") +
                                  "1e300 1 2\n"),
                            "test.ply: a list 'a' of element 'face' has the length '1e300'");
        QVERIFY_THROWS_WITH(parse("ply\nformat ascii 1.0\nend_header\n"), "has no vertex element");
    }

    void facesAreSkipped() {
        // A face element with lists before the vertices, and one after.
        const std::vector<float> rows = degree0Rows(3);
        std::string face =
            "element face 2\nproperty list uchar int vertex_indices\n"
            "property float quality\n";
        std::string file =
            plyHeader("binary_little_endian", 3, floatProps(referenceNames(0)), face);
        const std::uint8_t three = 3;
        const std::int32_t idx[3] = {0, 1, 2};
        const float quality = 0.5f;
        for (int f = 0; f < 2; ++f) {
            file.append(reinterpret_cast<const char*>(&three), 1);
            file.append(reinterpret_cast<const char*>(idx), sizeof(idx));
            file.append(reinterpret_cast<const char*>(&quality), 4);
        }
        file.append(reinterpret_cast<const char*>(rows.data()), rows.size() * 4);
        SplatLoadReport report;
        const GaussianCloud c = parse(file, &report);
        QCOMPARE(c.size(), std::size_t(3));
        QCOMPARE(c.positions[6], 2.0f);
        QCOMPARE(report.skippedElements, std::vector<std::string>{"face (2)"});
        QVERIFY(report.summary().find("skipped the elements face (2)") != std::string::npos);

        // The same in ASCII, the faces after the vertices.
        std::string ascii = plyHeader("ascii", 2, floatProps(referenceNames(0)));
        ascii.insert(ascii.find("end_header"),
                     "element face 1\nproperty list uchar int vertex_indices\n");
        for (int i = 0; i < 2; ++i)
            ascii += "1 2 3 0 0 0 0.1 0.2 0.3 0 -1 -1 -1 1 0 0 0\n";
        ascii += "3 0 1 1\n";
        QCOMPARE(parse(ascii, &report).size(), std::size_t(2));
        // ASCII faces before the vertices.
        std::string asciiBefore =
            plyHeader("ascii", 1, floatProps(referenceNames(0)),
                      "element face 2\nproperty list uchar int vertex_indices\n");
        asciiBefore += "3 0 1 2\n4 0 1 2 3\n1 2 3 0 0 0 0.1 0.2 0.3 0 -1 -1 -1 1 0 0 0\n";
        QCOMPARE(parse(asciiBefore).positions[2], 3.0f);

        // Faces that claim more than the file holds.
        std::string lying =
            plyHeader("binary_little_endian", 3, floatProps(referenceNames(0)),
                      "element face 1000000\nproperty list uint int vertex_indices\n");
        const std::uint32_t huge = 0xffffffffu;
        lying.append(reinterpret_cast<const char*>(&huge), 4);
        QVERIFY_THROWS_WITH(parse(lying),
                            "test.ply: the element 'face' runs past the end of the file");
        std::string fixed = plyHeader("binary_little_endian", 1, floatProps(referenceNames(0)),
                                      "element face 18446744073709551615\nproperty int a\n");
        QVERIFY_THROWS_WITH(parse(fixed), "the element 'face' runs past the end of the file");
    }

    void listPropertyInVertexRefused() {
        std::vector<std::string> props = floatProps(referenceNames(0));
        props.push_back("list uchar float feature");
        QVERIFY_THROWS_WITH(parse(plyHeader("binary_little_endian", 0, props)),
                            "test.ply: vertex property 'feature' is a list");
        props.pop_back();
        props.push_back("float x");
        QVERIFY_THROWS_WITH(parse(plyHeader("binary_little_endian", 0, props)),
                            "the vertex property 'x' appears twice");
    }

    void restCountMustBeADegree() {
        std::vector<std::string> names = referenceNames(0);
        for (int m = 0; m < 10; ++m)
            names.push_back("f_rest_" + std::to_string(m));
        QVERIFY_THROWS_WITH(parse(plyHeader("binary_little_endian", 0, floatProps(names))),
                            "test.ply: 10 f_rest_* properties; a 3DGS PLY has 0, 9, 24 or 45");
        names = referenceNames(1);
        std::replace(names.begin(), names.end(), std::string("f_rest_4"), std::string("f_rest_9"));
        QVERIFY_THROWS_WITH(parse(plyHeader("binary_little_endian", 0, floatProps(names))),
                            "f_rest_9 is out of range for 9 f_rest_* properties");
    }

    void unusableSplatsDroppedAndCounted() {
        std::vector<float> rows = degree0Rows(8);
        const float nan = std::nanf(""), inf = INFINITY;
        rows[1 * 17 + 0] = nan;       // position
        rows[2 * 17 + 7] = inf;       // f_dc_1
        rows[3 * 17 + 11] = 50.0f;    // scale_1: exp(50) m
        rows[4 * 17 + 12] = -200.0f;  // scale_2: underflows to 0
        rows[5 * 17 + 13] = 0.0f;     // rot_0 of (1,0,0,0): zero quaternion
        rows[6 * 17 + 9] = -inf;      // opacity
        SplatLoadReport report;
        const GaussianCloud c = parse(degree0File(8, rows), &report);
        QCOMPARE(report.splatsInFile, std::size_t(8));
        QCOMPARE(report.nonFinite, std::size_t(3));
        QCOMPARE(report.absurdScales, std::size_t(2));
        QCOMPARE(report.zeroRotations, std::size_t(1));
        QCOMPARE(c.size(), std::size_t(2));
        QCOMPARE(c.positions[0], 0.0f);
        QCOMPARE(c.positions[3], 7.0f);
        QCOMPARE(c.quantity("nx")->values.size(), std::size_t(2));
        c.validate();
        QCOMPARE(report.summary(),
                 std::string("kept 2 of 8 splats; dropped 3 with NaN or infinite values, 2 with "
                             "an absurd scale, 1 with a zero rotation"));
        // NaN written as text.
        std::string ascii = plyHeader("ascii", 2, floatProps(referenceNames(0)));
        ascii +=
            "nan 2 3 0 0 0 0.1 0.2 0.3 0 -1 -1 -1 1 0 0 0\n"
            "1 2 3 0 0 0 0.1 0.2 0.3 +0.5 -1 -1 -1 1 0 0 0\n";
        QCOMPARE(parse(ascii, &report).size(), std::size_t(1));
        QCOMPARE(report.nonFinite, std::size_t(1));
        QCOMPARE(report.format, std::string("ascii"));
    }

    void asciiGarbageNamesThePlace() {
        std::string ascii = plyHeader("ascii", 1, floatProps(referenceNames(0)));
        ascii += "1 2 3 0 0 0 0.1 0.2 0.3 zero -1 -1 -1 1 0 0 0\n";
        QVERIFY_THROWS_WITH(parse(ascii),
                            "test.ply: vertex 0, property opacity: 'zero' is not a number");
    }
};

BASIN_TEST_MAIN(TestGaussianPly)
#include "test_gaussian_ply.moc"
