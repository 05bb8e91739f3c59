// Surfaces exported for ParaView: a VTK XML structured grid whose points are
// (a, b, height) and whose point arrays are the metrics, read back with VTK's
// own reader.

#include <vtkDataArray.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkStructuredGrid.h>
#include <vtkXMLStructuredGridReader.h>

#include <QTemporaryDir>
#include <cmath>

#include "BasinTest.h"
#include "vtk/SurfaceExport.h"

using namespace basin;

class TestSurfaceExport : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripThroughVtkReader() {
        Surface s({-1, 0, 1}, {10, 20});
        std::vector<double>& loss = s.metric(SurfaceMetric::TrainLoss);
        std::vector<double>& acc = s.metric(SurfaceMetric::TrainAccuracy);
        for (std::size_t ix = 0; ix < 3; ++ix) {
            for (std::size_t iy = 0; iy < 2; ++iy) {
                loss[ix * 2 + iy] = double(ix) + 10 * double(iy);
                acc[ix * 2 + iy] = 50;
            }
        }
        loss[1 * 2 + 1] = Surface::kNotComputed;
        QTemporaryDir dir;
        const QString path = dir.path() + "/surface.vts";
        QString error;
        QVERIFY2(widgets::writeSurfaceVts(s, SurfaceMetric::TrainLoss, path, &error),
                 qPrintable(error));
        QVERIFY(!QFile::exists(path + ".part"));

        vtkNew<vtkXMLStructuredGridReader> reader;
        reader->SetFileName(path.toLocal8Bit().constData());
        reader->Update();
        vtkStructuredGrid* grid = reader->GetOutput();
        int dims[3];
        grid->GetDimensions(dims);
        QCOMPARE(dims[0], 3);
        QCOMPARE(dims[1], 2);
        // Point (ix = 2, iy = 1) is x-fastest index 2 + 3·1 = 5.
        double p[3];
        grid->GetPoint(5, p);
        QCOMPARE(p[0], 1.0);
        QCOMPARE(p[1], 20.0);
        QCOMPARE(p[2], 12.0);  // height = train_loss
        vtkDataArray* lossArray = grid->GetPointData()->GetArray("train_loss");
        QVERIFY(lossArray && grid->GetPointData()->GetArray("train_acc"));
        QVERIFY(!grid->GetPointData()->GetArray("test_loss"));
        QVERIFY(std::isnan(lossArray->GetTuple1(1 + 3 * 1)));  // not computed
        QCOMPARE(lossArray->GetTuple1(2 + 3 * 1), 12.0);
    }

    void unwritableTargetIsASentence() {
        Surface s({0, 1});
        s.metric(SurfaceMetric::TrainLoss) = {1, 2};
        QString error;
        QVERIFY(!widgets::writeSurfaceVts(s, SurfaceMetric::TrainLoss, "/nonexistent/dir/s.vts",
                                          &error));
        QVERIFY(error.contains("/nonexistent/dir/s.vts"));
    }
};

BASIN_TEST_MAIN(TestSurfaceExport)
#include "test_surface_export.moc"
