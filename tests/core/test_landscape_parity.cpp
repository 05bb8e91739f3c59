// Parity with the loss-landscape tool of Li et al. (2018) on the same model,
// data and saved directions. Real PyTorch writes the models (a scripted MLP
// and the BatchNorm SmallCNN), their checkpoints, the datasets and a training
// trajectory; Basin computes landscapes from recipes (LandscapeJob); then an
// independent Python implementation of that tool's semantics recomputes every
// grid point from the files alone and compares:
//  - net_plotter.set_weights (dir_type=weights: p = w + a·d_x + b·d_y per
//    parameter, directions matched by position) or set_states (running
//    statistics moved too; Basin's files are matched by their `name`
//    attribute, since their order is parameters then buffers);
//  - evaluation.eval_loss (eval mode, batches of 128, Σ loss·batch / N,
//    accuracy in percent), train and test;
//  - plot_surface.py's layout: losses.ravel()[k] at numpy.meshgrid(x, y)'s
//    k-th point;
//  - directions written by that tool's layout (h5_util.write_list, filter
//    normalization done in numpy) and read by Basin;
//  - projection.py: sklearn's PCA (centred) of the rows θ_i − θ_final with
//    1-D tensors zeroed, done here by numpy's SVD, and project_trajectory's
//    coordinates (θ_i − θ_final)·d / ‖d‖.

#include <QMap>
#include <QTemporaryDir>

#include <cmath>
#include <tuple>

#include "BasinTest.h"
#include "PythonFixtures.h"
#include "data/DatasetFiles.h"
#include "landscape/LandscapeJob.h"

using namespace basin;
using namespace basin::test;

namespace {

// The MLP of both scripts (prepend `import torch`).
constexpr const char* kMlpPython = R"PY(
class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(12, 32)
        self.fc2 = torch.nn.Linear(32, 16)
        self.fc3 = torch.nn.Linear(16, 4)
    def forward(self, x):
        return self.fc3(torch.tanh(self.fc2(torch.relu(self.fc1(x)))))
)PY";

// Models (initial weights, scripted), checkpoints after some SGD (the CNN's
// running statistics with them), datasets as .npz and torch.save dicts, six
// checkpoints of the MLP's training, and the tool's direction files.
constexpr const char* kSetupPython = R"PY(
torch.manual_seed(0)
rng = np.random.default_rng(0)

def sgd(net, x, y, steps, seed):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    net.train()
    for _ in range(steps):
        i = torch.randint(0, len(x), (32,), generator=g)
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x[i]), y[i]).backward()
        opt.step()

# Labels from a noisy linear teacher: the loss stays well above zero.
teacher = torch.randn(12, 4)
def mlp_data(n):
    x = torch.randn(n, 12)
    return x, (x @ teacher + 0.7 * torch.randn(n, 4)).argmax(1)
xtr, ytr = mlp_data(300); xte, yte = mlp_data(200)
np.savez('mlp_train.npz', x=xtr.numpy(), y=ytr.numpy())
np.savez('mlp_test.npz', x=xte.numpy(), y=yte.numpy())
mlp = Mlp()
torch.jit.save(torch.jit.script(mlp), 'mlp.pt')
for epoch in range(6):
    sgd(mlp, xtr, ytr, 12, epoch)
    torch.save(mlp.state_dict(), 'mlp_epoch%d.pt' % epoch)

cnn_teacher = torch.randn(48, 5)
def cnn_data(n):
    x = torch.randn(n, 3, 16, 16)
    z = torch.nn.functional.avg_pool2d(x, 4).flatten(1) @ cnn_teacher
    return x, (z + 0.5 * torch.randn(n, 5)).argmax(1)
xtr, ytr = cnn_data(200); xte, yte = cnn_data(100)
torch.save({'inputs': xtr, 'targets': ytr}, 'cnn_train.pt')
torch.save({'inputs': xte, 'targets': yte}, 'cnn_test.pt')
cnn = SmallCNN()
torch.jit.save(torch.jit.script(cnn), 'cnn.pt')
sgd(cnn, xtr, ytr, 30, 7)
torch.save(cnn.state_dict(), 'cnn_ckpt.pt')

# net_plotter.create_random_direction(dir_type='weights', norm='filter'),
# in numpy: a Gaussian per parameter; 1-D tensors zeroed (ignore='biasbn')
# or set to the weights; every slice along dim 0 scaled to the weights' norm.
def reference_direction(net, ignore_biasbn):
    out = []
    for p in net.parameters():
        w = p.detach().numpy()
        d = rng.standard_normal(w.shape).astype(np.float32)
        if d.ndim <= 1:
            d = np.zeros_like(w) if ignore_biasbn else w.copy()
        else:
            for k in range(d.shape[0]):
                d[k] *= np.linalg.norm(w[k]) / (np.linalg.norm(d[k]) + 1e-10)
        out.append(d)
    return out
for name, net, ignore in (('mlp', mlp, True), ('cnn', cnn, False)):
    with h5py.File('reference_%s.h5' % name, 'w') as f:   # h5_util.write_list
        for group in ('xdirection', 'ydirection'):
            g = f.create_group(group)
            for i, d in enumerate(reference_direction(net, ignore)):
                g.create_dataset(str(i), data=d)
)PY";

// What every check uses; it writes `key value` lines to results.txt.
constexpr const char* kCheckPython = R"PY(
import copy
NETS = {'mlp': Mlp, 'cnn': SmallCNN}
results = {}

def dataset(path):
    if path.endswith('.npz'):
        z = np.load(path)
        return torch.from_numpy(z['x']), torch.from_numpy(z['y'])
    d = torch.load(path)
    return d['inputs'], d['targets']

def eval_loss(net, x, y, batch=128):   # evaluation.eval_loss
    net.eval()
    criterion = torch.nn.CrossEntropyLoss()
    correct, total_loss, total = 0, 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            inputs, targets = x[i:i + batch], y[i:i + batch]
            total += inputs.size(0)
            outputs = net(inputs)
            total_loss += criterion(outputs, targets).item() * inputs.size(0)
            correct += outputs.max(1)[1].eq(targets).sum().item()
    return total_loss / total, 100.0 * correct / total

def read_list(f, group):   # h5_util.read_list
    g = f[group]
    return [np.asarray(g[str(i)]) for i in range(len(g))]

def names_of(f, group):
    g = f[group]
    names = [g[str(i)].attrs.get('name') for i in range(len(g))]
    return [n.decode() if isinstance(n, bytes) else n for n in names]

def load_net(model, checkpoint):
    net = NETS[model]()
    net.load_state_dict(torch.load(checkpoint))
    return net

def check_surface(model, checkpoint, dirs, surface, data, states):
    net = load_net(model, checkpoint)
    with h5py.File(dirs, 'r') as f:
        dx, dy = read_list(f, 'xdirection'), read_list(f, 'ydirection')
        names = names_of(f, 'xdirection')
    if states:
        # net_plotter.set_states: new_states = states + a·dx + b·dy, loaded.
        base = copy.deepcopy(net.state_dict())
        floats = [k for k, v in base.items() if v.is_floating_point()]
        assert sorted(names) == sorted(floats), (names, floats)
        def set_at(a, b):
            new = copy.deepcopy(base)
            for n, d0, d1 in zip(names, dx, dy):
                new[n].add_(torch.from_numpy(d0 * a + d1 * b).type(new[n].type()))
            net.load_state_dict(new)
    else:
        # net_plotter.set_weights: p.data = w + a·dx + b·dy, by position.
        params = list(net.named_parameters())
        assert len(params) == len(dx) == len(dy), (len(params), len(dx), len(dy))
        for (n, p), d, name in zip(params, dx, names):
            assert d.shape == tuple(p.shape) and name in (None, n), (n, name, d.shape)
        w = [p.data.clone() for _, p in params]
        def set_at(a, b):
            changes = [d0 * a + d1 * b for d0, d1 in zip(dx, dy)]
            for (_, p), w0, d in zip(params, w, changes):
                p.data = w0 + torch.from_numpy(d).type(w0.type())
    with h5py.File(surface, 'r') as h:
        d = h['dir_file'][()]
        assert (d.decode() if isinstance(d, bytes) else d) == dirs, d
        x, y = h['xcoordinates'][:], h['ycoordinates'][:]
        tables = {s: (h[s + '_loss'][:], h[s + '_acc'][:]) for s in data}
    X, Y = np.meshgrid(x, y)   # plot_surface.py's order
    worst_abs = worst_rel = flips = 0.0
    lo, hi, points = np.inf, -np.inf, 0
    for k in range(X.size):
        set_at(X.ravel()[k], Y.ravel()[k])
        for s, (xs, ys) in data.items():
            L, A = tables[s]
            assert L.shape == (len(x), len(y)), L.shape
            loss, acc = eval_loss(net, xs, ys)
            got = L.ravel()[k]
            worst_abs = max(worst_abs, abs(got - loss))
            worst_rel = max(worst_rel, abs(got - loss) / max(1.0, abs(loss)))
            flips = max(flips, abs(A.ravel()[k] - acc) * len(ys) / 100.0)
            lo, hi, points = min(lo, loss), max(hi, loss), points + 1
    results.update(points=points, loss_abs=worst_abs, loss_rel=worst_rel, acc_flips=flips,
                   loss_min=lo, loss_max=hi)

def check(case):
    data = {s: dataset(case[s]) for s in ('train', 'test')}
    check_surface(case['model'], case['checkpoint'], case['dirs'], case['surface'], data,
                  case.get('states', False))

def save():
    with open('results.txt', 'w') as f:
        for k, v in results.items():
            f.write('%s %.17g\n' % (k, v))
)PY";

// The independent PCA of the trajectory and its projections, compared with
// Basin's directions file (directions, basin_points, explained variance).
constexpr const char* kPcaPython = R"PY(
states = [torch.load('mlp_epoch%d.pt' % i) for i in range(6)]
names = [n for n, _ in Mlp().named_parameters()]
def offsets(zero_1d):   # θ_i − θ_final per parameter, in float64
    rows = []
    for s in states:
        parts = []
        for n in names:
            d = s[n].double().numpy() - states[-1][n].double().numpy()
            parts.append((np.zeros_like(d) if zero_1d and d.ndim <= 1 else d).ravel())
        rows.append(np.concatenate(parts))
    return np.array(rows)
M = offsets(True)                        # ignore_biasbn on each d, as projection.py
U, S, Vt = np.linalg.svd(M - M.mean(0), full_matrices=False)   # sklearn's PCA centres
pc, ratio = Vt[:2], S ** 2 / (S ** 2).sum()
with h5py.File(CASE['dirs'], 'r') as f:
    b = [np.concatenate([d.astype(np.float64).ravel() for d in read_list(f, g)])
         for g in ('xdirection', 'ydirection')]
    points = f['basin_points'][:]
    ev = [float(f.attrs['basin_explained_variance_' + a]) for a in 'xy']
    labels = f['basin_points'].attrs['labels']
labels = (labels.decode() if isinstance(labels, bytes) else labels).split('\n')
assert points.shape == (6, 2) and len(labels) == 6, (points.shape, labels)
R = offsets(False)                       # project_trajectory: no zeroing
scale = np.abs(R @ pc.T).max()
for k, axis in enumerate('xy'):
    cos = b[k] @ pc[k] / (np.linalg.norm(b[k]) * np.linalg.norm(pc[k]))
    sign = np.sign(cos)
    results['cos_' + axis] = abs(cos)
    results['norm_' + axis] = np.linalg.norm(b[k])
    results['ratio_' + axis] = ratio[k]
    results['ratio_diff_' + axis] = abs(ev[k] - ratio[k])
    # project_2D(proj_method='cos'): d·dx / ‖dx‖ with the independent PCA's
    # direction (given Basin's sign), and with the directions of Basin's file.
    want = sign * (R @ pc[k]) / np.linalg.norm(pc[k])
    results['proj_diff_' + axis] = np.abs(points[:, k] - want).max() / scale
    results['proj_file_diff_' + axis] = np.abs(points[:, k] - R @ b[k] / np.linalg.norm(b[k])).max() / scale
results['cos_xy'] = abs(b[0] @ b[1])
results['trajectory_scale'] = scale
)PY";

class QuietContext : public JobContext {
public:
    void report(double, const std::string&) override {}
    bool cancelRequested() const override { return false; }
};

// The loss-parity criterion of issue 4 and the accuracy criterion (at most
// one sample's prediction may flip where two logits tie), on the numbers of
// check_surface; an empty string when they hold.
QString surfaceParityFailure(const QMap<QString, double>& r, int points) {
    if (int(r.value("points")) != points)
        return QString("compared %1 values, expected %2").arg(r.value("points")).arg(points);
    if (!(r.value("loss_rel") <= 1e-5))
        return QString("max |Δloss| / max(1, |loss|) = %1").arg(r.value("loss_rel"));
    if (!(r.value("acc_flips") <= 1.0 + 1e-9))
        return QString("accuracy differs by %1 samples").arg(r.value("acc_flips"));
    // A flat surface would prove nothing about the directions.
    if (!(r.value("loss_max") - r.value("loss_min") > 0.05))
        return QString("the surface is flat: loss from %1 to %2")
            .arg(r.value("loss_min"))
            .arg(r.value("loss_max"));
    return {};
}

}  // namespace

class TestLandscapeParity : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString skip_;  // why the Python side cannot run, when it cannot

    std::string file(const QString& name) const { return (dir_.path() + "/" + name).toStdString(); }

    // Runs the recipe on the named train and test files.
    void compute(LandscapeRecipe r, const QString& train, const QString& test) {
        LandscapeJob job(std::move(r), loadDatasetFile(file(train)), loadDatasetFile(file(test)));
        QuietContext context;
        job.run(context);
    }

    // Runs the check script with `body` after it; the numbers it recorded.
    QMap<QString, double> python(const QString& body, QString* error) {
        QFile::remove(dir_.path() + "/results.txt");
        *error =
            runPython(dir_.path(), QString("import torch, numpy as np, h5py\n") + kSmallCnnPython +
                                       kMlpPython + kCheckPython + body + "\nsave()\n");
        QMap<QString, double> r;
        QFile f(dir_.path() + "/results.txt");
        if (!error->isEmpty() || !f.open(QIODevice::ReadOnly)) return r;
        for (const QByteArray& line : f.readAll().split('\n')) {
            const QList<QByteArray> kv = line.split(' ');
            if (kv.size() == 2) r.insert(QString::fromUtf8(kv[0]), kv[1].toDouble());
        }
        return r;
    }

    // A 5×5 landscape on [−extent, extent]² of `model` with the recipe's
    // directions, recomputed by the reference semantics and compared; what
    // failed, or an empty string.
    QString landscapeParity(LandscapeRecipe r, const QString& model, const QString& data,
                            const QString& name, bool states = false, double extent = 1.0) {
        r.modelPath = file(model + ".pt");
        r.x = GridRange{-extent, extent, 5};
        r.y = GridRange{-extent, extent, 5};
        r.surfacePath = file(name + ".h5");
        const std::string dirs =
            r.directionsFile.empty() ? r.surfacePath + ".directions.h5" : r.directionsFile;
        const QString train = model + "_train." + data, test = model + "_test." + data;
        compute(r, train, test);
        QString error;
        const auto results = python(
            QString("check(dict(model='%1', checkpoint='%2', dirs='%3', surface='%4', "
                    "train='%5', test='%6', states=%7))")
                .arg(model, QString::fromStdString(r.checkpoint), QString::fromStdString(dirs),
                     QString::fromStdString(r.surfacePath), dir_.path() + "/" + train,
                     dir_.path() + "/" + test, states ? "True" : "False"),
            &error);
        if (!error.isEmpty()) return name + ": " + error;
        qInfo(
            "%s: %d values, max |Δloss| %.3g (relative %.3g), loss %.4g to %.4g, max "
            "accuracy difference %.3g samples",
            qPrintable(name), int(results.value("points")), results.value("loss_abs"),
            results.value("loss_rel"), results.value("loss_min"), results.value("loss_max"),
            results.value("acc_flips"));
        const QString failure = surfaceParityFailure(results, 50);
        return failure.isEmpty() ? failure : name + ": " + failure;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        QProcess p;
        p.start(kPython, {"-c", "import torch, h5py, numpy"});
        if (!p.waitForFinished(60000) || p.exitCode() != 0) {
            skip_ = "needs /usr/bin/python3 with torch, h5py and numpy";
            return;
        }
        const QString error =
            runPython(dir_.path(), QString("import torch, numpy as np, h5py\n") + kSmallCnnPython +
                                       kMlpPython + kSetupPython);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    // Random filter-normalized directions:
    //  - biases zeroed (Basin's default);
    //  - the CNN in eval mode with the checkpoint's running statistics, the
    //    directions moving parameters only (the tool's dir_type=weights);
    //  - the running statistics moved too, 1-D tensors kept (set to θ, as the
    //    tool does when nothing is ignored): the tool's set_states, the file
    //    matched by tensor name. Kept 1-D directions scale the running
    //    variance by 1 + a + b, so that grid stays where it is positive.
    void randomDirections_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("data");
        QTest::addColumn<QString>("checkpoint");
        QTest::addColumn<bool>("buffers");
        QTest::addColumn<double>("extent");
        QTest::newRow("mlp_random") << "mlp"
                                    << "npz"
                                    << "mlp_epoch5.pt" << false << 1.0;
        QTest::newRow("cnn_random") << "cnn"
                                    << "pt"
                                    << "cnn_ckpt.pt" << false << 1.0;
        QTest::newRow("cnn_states") << "cnn"
                                    << "pt"
                                    << "cnn_ckpt.pt" << true << 0.4;
    }
    void randomDirections() {
        if (!skip_.isEmpty()) QSKIP(qPrintable(skip_));
        QFETCH(QString, model);
        QFETCH(QString, data);
        QFETCH(QString, checkpoint);
        QFETCH(bool, buffers);
        QFETCH(double, extent);
        LandscapeRecipe r;
        r.checkpoint = file(checkpoint);
        r.random.seed = 11;
        r.random.keepOneDimensional = buffers;
        r.includeBuffers = buffers;
        const QString failure =
            landscapeParity(r, model, data, QTest::currentDataTag(), buffers, extent);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    }

    // Direction files of the tool's layout (positional datasets, no Basin
    // attributes) are read by position: biases zeroed for the MLP, kept for
    // the CNN.
    void directionsWrittenByTheReference() {
        if (!skip_.isEmpty()) QSKIP(qPrintable(skip_));
        for (const auto& [model, data, checkpoint] :
             {std::tuple<QString, QString, QString>{"mlp", "npz", "mlp_epoch5.pt"},
              {"cnn", "pt", "cnn_ckpt.pt"}}) {
            LandscapeRecipe r;
            r.checkpoint = file(checkpoint);
            r.directions = DirectionKind::Loaded;
            r.directionsFile = file("reference_" + model + ".h5");
            const QString failure = landscapeParity(r, model, data, model + "_reference_dirs");
            QVERIFY2(failure.isEmpty(), qPrintable(failure));
        }
    }

    // PCA directions of six checkpoints against numpy's SVD of the centred
    // offsets, the explained variance ratios, the checkpoints' coordinates,
    // and the loss on the PCA plane around the final weights.
    void trajectoryPca() {
        if (!skip_.isEmpty()) QSKIP(qPrintable(skip_));
        LandscapeRecipe r;
        r.directions = DirectionKind::TrajectoryPca;
        for (int i = 0; i < 6; ++i)
            r.checkpoints.push_back(file(QString("mlp_epoch%1.pt").arg(i)));
        r.checkpoint = r.checkpoints.back();  // for the check; the recipe takes the last
        const QString failure = landscapeParity(r, "mlp", "npz", "mlp_pca");
        QVERIFY2(failure.isEmpty(), qPrintable(failure));

        QString error;
        const auto pca =
            python(QString("CASE = dict(dirs='%1')\n")
                           .arg(QString::fromStdString(file("mlp_pca.h5.directions.h5"))) +
                       kPcaPython,
                   &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        qInfo(
            "PCA: |cos| to numpy's components %.9f, %.9f; explained variance ratio %.6f, "
            "%.6f (differences %.3g, %.3g); projections differ by %.3g, %.3g of the "
            "trajectory's scale %.4g (by %.3g, %.3g with the file's directions)",
            pca.value("cos_x"), pca.value("cos_y"), pca.value("ratio_x"), pca.value("ratio_y"),
            pca.value("ratio_diff_x"), pca.value("ratio_diff_y"), pca.value("proj_diff_x"),
            pca.value("proj_diff_y"), pca.value("trajectory_scale"), pca.value("proj_file_diff_x"),
            pca.value("proj_file_diff_y"));
        for (const char* axis : {"x", "y"}) {
            const QString a(axis);
            QVERIFY2(pca.contains("proj_file_diff_" + a), axis);
            QVERIFY2(pca.value("cos_" + a) >= 1.0 - 1e-5, axis);
            // Unit vectors, as sklearn's components_.
            QVERIFY2(std::abs(pca.value("norm_" + a) - 1.0) < 1e-5, axis);
            QVERIFY2(pca.value("ratio_diff_" + a) < 1e-6, axis);
            QVERIFY2(pca.value("proj_diff_" + a) < 1e-4, axis);
            QVERIFY2(pca.value("proj_file_diff_" + a) < 1e-5, axis);
        }
        QVERIFY(pca.value("cos_xy") < 1e-5);
        // The trajectory is not a line: the second direction means something.
        QVERIFY(pca.value("ratio_y") > 0.01);
    }
};

BASIN_TEST_MAIN(TestLandscapeParity)
#include "test_landscape_parity.moc"
