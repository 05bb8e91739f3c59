#include "vtk/SurfaceExport.h"

#include <vtkDoubleArray.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkStructuredGrid.h>
#include <vtkXMLStructuredGridWriter.h>

#include <QFile>
#include <QFileInfo>
#include <cmath>

namespace basin::widgets {

bool writeSurfaceVts(const Surface& surface, SurfaceMetric height, const QString& path,
                     QString* error) {
    const std::size_t nx = surface.nx(), ny = surface.ny();
    if (nx == 0) {
        if (error) *error = QStringLiteral("the surface is empty");
        return false;
    }
    const std::vector<double> ys = surface.twoDimensional() ? surface.y : std::vector<double>{0.0};
    auto valueAt = [&](SurfaceMetric m, std::size_t ix, std::size_t iy) {
        if (!surface.computed(m, ix * ny + iy)) return std::nan("");
        return surface.metric(m)[ix * ny + iy];
    };
    vtkNew<vtkStructuredGrid> grid;
    // VTK's structured order runs x fastest: point (ix, iy) is ix + nx·iy.
    grid->SetDimensions(int(nx), int(ny), 1);
    vtkNew<vtkPoints> points;
    points->SetDataTypeToDouble();
    points->SetNumberOfPoints(vtkIdType(nx * ny));
    for (std::size_t iy = 0; iy < ny; ++iy) {
        for (std::size_t ix = 0; ix < nx; ++ix) {
            const double z = surface.has(height) ? valueAt(height, ix, iy) : 0.0;
            points->SetPoint(vtkIdType(ix + nx * iy), surface.x[ix], ys[iy],
                             std::isfinite(z) ? z : 0.0);
        }
    }
    grid->SetPoints(points);
    for (SurfaceMetric m : {SurfaceMetric::TrainLoss, SurfaceMetric::TrainAccuracy,
                            SurfaceMetric::TestLoss, SurfaceMetric::TestAccuracy}) {
        if (!surface.has(m)) continue;
        vtkNew<vtkDoubleArray> values;
        values->SetName(surfaceMetricName(m));
        values->SetNumberOfTuples(vtkIdType(nx * ny));
        for (std::size_t iy = 0; iy < ny; ++iy) {
            for (std::size_t ix = 0; ix < nx; ++ix)
                values->SetValue(vtkIdType(ix + nx * iy), valueAt(m, ix, iy));
        }
        grid->GetPointData()->AddArray(values);
    }
    // Written to a temporary name beside the target, then renamed (atomic).
    const QString temporary = path + QStringLiteral(".part");
    vtkNew<vtkXMLStructuredGridWriter> writer;
    writer->SetFileName(temporary.toLocal8Bit().constData());
    writer->SetInputData(grid);
    writer->SetDataModeToBinary();
    if (writer->Write() != 1) {
        QFile::remove(temporary);
        if (error) *error = QStringLiteral("cannot write '%1'").arg(path);
        return false;
    }
    QFile::remove(path);
    if (!QFile::rename(temporary, path)) {
        QFile::remove(temporary);
        if (error) *error = QStringLiteral("cannot write '%1'").arg(path);
        return false;
    }
    return true;
}

}  // namespace basin::widgets
