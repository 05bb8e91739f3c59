#pragma once
// Interop fixtures made at test time by real PyTorch (/usr/bin/python3 with
// Debian's python3-torch): a test writes a script into a temporary folder and
// runs it there, so no binary fixture is committed. Arrays are exchanged as
// raw little-endian float32 files (numpy's tofile) whose shapes the test knows.

#include <QFile>
#include <QProcess>
#include <QString>
#include <QtTest>

#include <cstring>
#include <memory>
#include <vector>

#include "io/TensorData.h"

namespace basin::test {

constexpr const char* kPython = "/usr/bin/python3";

// Runs `script` with the working directory `dir`; returns an empty string on
// success, the interpreter's output otherwise.
inline QString runPython(const QString& dir, const QString& script, int timeoutMs = 240000) {
    const QString path = dir + "/fixture.py";
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return "cannot write " + path;
    file.write(script.toUtf8());
    file.close();
    QProcess p;
    p.setWorkingDirectory(dir);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(kPython, {path});
    if (!p.waitForFinished(timeoutMs)) return "python timed out: " + p.readAll();
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return "python failed: " + QString::fromUtf8(p.readAll());
    return {};
}

// A small CNN with BatchNorm for 3×16×16 inputs and 5 classes, the same in
// every test that scripts one (prepend `import torch`).
constexpr const char* kSmallCnnPython = R"PY(
class SmallCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)
        self.fc = torch.nn.Linear(8 * 8 * 8, 5)
    def forward(self, x):
        x = torch.relu(self.bn(self.conv(x)))
        x = torch.nn.functional.max_pool2d(x, 2)
        return self.fc(x.flatten(1))
)PY";

// settle(model, shape): non-trivial BatchNorm statistics from three
// training-mode passes on random inputs of `shape`, then eval mode — how
// every test that scripts a torchvision model prepares it.
constexpr const char* kSettlePython = R"PY(
def settle(model, shape):
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(*shape) * 2 + 0.5)
    model.eval()
)PY";

inline bool pythonTorchAvailable() {
    QProcess p;
    p.start(kPython, {"-c", "import torch"});
    return p.waitForFinished(60000) && p.exitCode() == 0;
}

// A float32 file as a contiguous TensorData of the given shape.
inline TensorData readFloats(const QString& path, std::vector<std::int64_t> shape) {
    QFile file(path);
    TensorData t;
    t.shape = std::move(shape);
    if (!file.open(QIODevice::ReadOnly)) return t;
    const QByteArray bytes = file.readAll();
    t.storage = Storage::allocate(std::size_t(bytes.size()));
    std::memcpy(t.storage->mutableData(), bytes.constData(), std::size_t(bytes.size()));
    return t;
}

// max |a − b| over the elements (a and b must have the same count).
inline double maxAbsDiff(const TensorData& a, const TensorData& b) {
    const std::vector<double> x = a.toDoubles(), y = b.toDoubles();
    if (x.size() != y.size()) return 1e300;
    double m = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i)
        m = std::max(m, std::abs(x[i] - y[i]));
    return m;
}

}  // namespace basin::test
