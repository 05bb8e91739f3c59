#pragma once
// Linear mode connectivity in the GUI (issue 5, "Views and CLI"): the path
// between checkpoints computed in the jobs panel (connectivity/PathJob.h; the
// layer-wise rows and the second-order prediction after it when asked), its
// files kept as project results, and three views that fill in while the
// jobs run and are saved with the project:
//
//   lmc-path       loss/accuracy against t of one or more path files
//                  (widgets/connectivity/PathPlotView), with the second-order
//                  prediction found beside a path; settings: paths (files).
//                  Its draggable cursor sets a Path probe (t on the first
//                  path's file) and follows the probe.
//   lmc-barriers   every barrier definition per path, segment and split
//                  (BarrierTable); settings: paths.
//   lmc-layerwise  the layer-wise result as a layers × t heatmap with the
//                  per-layer barriers (LayerwiseHeatmapView); settings: path.
//
// Files: "<A's folder>/lmc/<A>--<B>[-bn][-2…].path.h5" (named uniquely because
// the probe and the project find a result by its file name; "-2" … when the
// name holds another path already), and beside it
// ".layerwise.h5", ".second_order.json", and with alignment ".aligned.pt"
// (B aligned to A) and ".aligned.path.h5" (the path to it, named "aligned"
// in the views), with a curve ".curve-bezier1.path.h5" (its path, "curve"
// in the views), ".curve-bezier1.pt" (the curve) and ".curve-bezier1.plane.h5"
// (the plane through its ends and middle bend) — {"t": [...], "second_order":
// {...}} with the keys of `basin lmc`'s summary.json. The views read a CLI
// output folder as well: DIR/path.h5, DIR/layerwise.h5, DIR/summary.json.

#include <QString>
#include <QStringList>
#include <vector>

#include "connectivity/Barrier.h"
#include "ui/ViewArea.h"

namespace basin::app {

class MainWindow;
class Session;

// What the "Linear mode connectivity" dialog asks.
struct LmcRequest {
    QString model;
    QStringList checkpoints;      // A, B[, C…]: the chain in order
    QString trainData, testData;  // testData empty: no test metrics
    int points = 25;
    bool reestimateBatchNorm = false;
    bool layerwise = false;    // two checkpoints only
    bool secondOrder = false;  // two checkpoints only
    QString pathFile;          // the path file; the others are named after it
    // Two checkpoints only: "weights" or "activations" aligns B to A first
    // (the aligned B becomes a checkpoint of the project) and computes the
    // path A → aligned B as well; empty: no alignment.
    QString alignment;
    // Also the REPAIRed paths (Jordan et al. 2023, connectivity/Repair.h: each
    // hidden unit's statistics reset to the interpolation of the ends'), of
    // A → B and, when aligning, of A → aligned B ("repaired" in the views).
    bool repair = false;
    // Two checkpoints only: also train a low-loss curve (Garipov et al. 2018,
    // CurveTraining.h) between A and B — the aligned B when aligning — as
    // `basin lmc --curve` does, then its path at the same points ("curve" in
    // the views); with curvePlane, the plane through A, B and its middle bend
    // as a landscape with the curve drawn on it. Defaults are the CLI's.
    bool curve = false;
    QString curveKind = QStringLiteral("bezier");  // or "polychain"
    int curveBends = 1;
    int curveEpochs = 20;
    double curveLearningRate = 0.01;
    QString curveOptimizer = QStringLiteral("adam");     // or "sgd" (momentum 0.9)
    QString curveSchedule = QStringLiteral("constant");  // or "garipov" (CurveLrSchedule)
    bool curvePlane = false;
    int curvePlanePoints = 21;  // per axis
};

// "<A's folder>/lmc/<A>--<B>[--C…][-bn].path.h5".
QString lmcPathFileFor(const QStringList& checkpoints, bool reestimateBatchNorm);
// The path file the dialog suggests: lmcPathFileFor's when it does not exist
// or holds this very path (same checkpoints, number of points and BatchNorm
// option: the job resumes it); else the first "<…>-2.path.h5", "-3" … that is
// free or holds it (a job asked for another number of points would fail on it).
QString lmcPathFileToUse(const QStringList& checkpoints, bool reestimateBatchNorm, int points);
// The layer-wise file and the second-order prediction beside a path file.
QString lmcLayerwiseFile(const QString& pathFile);
QString lmcSecondOrderFile(const QString& pathFile);
// The aligned B ("<…>.aligned.pt", `basin lmc --align`'s B_aligned.pt) and
// the path to it ("<…>.aligned.path.h5", path_aligned.h5) beside a path file.
QString lmcAlignedCheckpointFile(const QString& pathFile);
QString lmcAlignedPathFile(const QString& pathFile);
// The REPAIRed paths beside a path file (or in `basin lmc --repair`'s folder).
QString lmcRepairedPathFile(const QString& pathFile, bool aligned);
// The curve's path beside a path file ("<…>.curve-bezier1.path.h5"; in a
// `basin lmc` folder "curve_bezier1.h5"), its curve file (curveFileOfPath:
// "<…>.curve-bezier1.pt") and the plane through its ends and middle bend
// ("<…>.curve-bezier1.plane.h5").
QString lmcCurvePathFile(const QString& pathFile, const QString& kind, int bends);
QString lmcCurveFile(const QString& curvePathFile);
QString lmcCurvePlaneFile(const QString& curvePathFile);

// Opens the dialog for the checkpoint item (A) and starts what it describes.
void linearModeConnectivityForItem(MainWindow* window, int checkpointItem);
// Runs the path job (then the second-order and layer-wise jobs, and the
// alignment with the aligned path, when asked);
// opens the path plot and barrier table at once (and the heatmap with the
// layer-wise job) unless views of these files are open; they fill in as
// points arrive. Each finished file becomes a project result.
void startLinearModeConnectivity(MainWindow* window, const LmcRequest& request);

ViewSpec lmcPathSpec(const QStringList& pathFiles);
ViewSpec lmcBarrierSpec(const QStringList& pathFiles);
ViewSpec lmcLayerwiseSpec(const QString& layerwiseFile);
// nullptr for other view types.
QWidget* createConnectivityView(const ViewSpec& spec, Session* session);
// "linear path", "layer-wise" or empty when `path` is not a path file.
QString pathFileKind(const QString& path);

struct SecondOrderCurve {
    std::vector<double> t, loss;  // the predicted train loss
    Barrier barrier;
};
// The second-order prediction beside a path file (its .second_order.json, or
// the CLI's summary.json); false when there is none.
bool readSecondOrderBeside(const QString& pathFile, SecondOrderCurve* out);

}  // namespace basin::app
