#include "vtk/SurfaceFigure.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QOpenGLContext>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgRenderer>
#include <QTemporaryFile>

#include <vtkCamera.h>
#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkOpenGLGL2PSExporter.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkWindowToImageFilter.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "landscape/ContourMapView.h"
#include "plot/PlotFigure.h"
#include "vtk/SurfaceScene.h"

namespace basin::widgets {
namespace {

constexpr int kMaxSide = 16384;  // llvmpipe's and most GPUs' largest framebuffer

// Draws `scene` again in `window` (already sized, with its DPI set).
class FigureScene {
public:
    FigureScene(const SurfaceScene& scene, vtkRenderWindow* window) {
        // The scene lays itself out for its window: attach it first.
        window->AddRenderer(renderer_);
        figure_ = std::make_unique<SurfaceScene>(renderer_.Get());
        figure_->setGrid(scene.grid(), scene.options(), true);
        figure_->setTrajectory(scene.trajectory());
        if (scene.hasProbe()) figure_->setProbe(scene.probeX(), scene.probeY());
        vtkRenderer* source = scene.renderer();
        if (source && !scene.cameraIsDefault()) {
            renderer_->GetActiveCamera()->DeepCopy(source->GetActiveCamera());
            renderer_->ResetCameraClippingRange();
        }
    }
    SurfaceScene& scene() { return *figure_; }

private:
    vtkNew<vtkRenderer> renderer_;
    std::unique_ptr<SurfaceScene> figure_;
};

// An offscreen VTK window. Qt's GL context, if one is current, is released
// first: VTK makes its own current, and Qt must not go on believing its is.
vtkSmartPointer<vtkRenderWindow> offscreenWindow(QSize size, double dpi, int samples) {
    if (QOpenGLContext* qt = QOpenGLContext::currentContext()) qt->doneCurrent();
    auto window = vtkSmartPointer<vtkRenderWindow>::New();
    window->SetOffScreenRendering(1);
    window->SetMultiSamples(samples);
    window->SetSize(std::clamp(size.width(), 16, kMaxSide),
                    std::clamp(size.height(), 16, kMaxSide));
    window->SetDPI(std::max(1, int(std::lround(dpi))));
    return window;
}

QImage grab(vtkRenderWindow* window) {
    vtkNew<vtkWindowToImageFilter> reader;
    reader->SetInput(window);
    reader->SetInputBufferTypeToRGB();
    reader->ReadFrontBufferOff();
    reader->Update();
    vtkImageData* data = reader->GetOutput();
    int dims[3];
    data->GetDimensions(dims);
    const auto* pixels = static_cast<const uchar*>(data->GetScalarPointer());
    if (!pixels || dims[0] <= 0 || dims[1] <= 0) return {};
    QImage image(dims[0], dims[1], QImage::Format_RGB888);
    for (int y = 0; y < dims[1]; ++y) {  // VTK's rows run bottom-up
        std::copy_n(pixels + std::size_t(dims[1] - 1 - y) * dims[0] * 3, dims[0] * 3,
                    image.scanLine(y));
    }
    return image;
}

// What GL2PS cannot turn into vectors — on VTK's OpenGL2 backend all 3D
// geometry and the scalar bar's colours — drawn at `dpi` with every text
// transparent (the layout unchanged), to lie under GL2PS's vector text.
QImage rasterLayer(const SurfaceScene& scene, QSize points, double dpi) {
    const double scale = std::max(1.0, dpi / 72.0);
    auto window = offscreenWindow(points * scale, 72 * scale, 8);
    QImage image;
    {
        FigureScene figure(scene, window);
        figure.scene().setTextVisible(false);
        window->Render();
        image = grab(window);
    }
    window->Finalize();
    return image;
}

// GL2PS's SVG of the vector props: text as paths, label backgrounds. (Its
// raster background needs a gl2ps built with libpng, which Debian's is not;
// the caller lays its own raster layer under it.)
QByteArray vectorLayerSvg(const SurfaceScene& scene, QSize points, QString* error) {
    QTemporaryFile prefixFile(QDir::tempPath() + QStringLiteral("/basin-figure-XXXXXX"));
    if (!prefixFile.open()) {
        if (error)
            *error = QObject::tr("cannot create a temporary file in '%1'").arg(QDir::tempPath());
        return {};
    }
    const QString written = prefixFile.fileName() + QStringLiteral(".svg");
    auto window = offscreenWindow(points, 72, 0);  // 1 pixel = 1 point on the page
    {
        FigureScene figure(scene, window);
        window->Render();
        vtkNew<vtkOpenGLGL2PSExporter> exporter;
        exporter->SetRenderWindow(window);
        exporter->SetFilePrefix(QFile::encodeName(prefixFile.fileName()).constData());
        exporter->SetFileFormatToSVG();
        exporter->SetTitle(scene.grid().name.c_str());
        exporter->CompressOff();       // a compressed SVG would be an .svgz
        exporter->DrawBackgroundOn();  // OpenGL2 always draws it; off only warns
        exporter->TextAsPathOn();
        exporter->SilentOn();
        exporter->Write();
    }
    window->Finalize();
    QFile file(written);
    QByteArray svg;
    if (file.open(QIODevice::ReadOnly)) svg = file.readAll();
    file.remove();
    if (!svg.contains("<svg") && error)
        *error = QObject::tr("VTK's GL2PS exporter wrote no SVG for the figure");
    return svg;
}

// The vector figure as SVG: the raster layer as an embedded PNG under GL2PS's
// vector text.
QByteArray figureSvg(const SurfaceScene& scene, QSize points, double dpi, QString* error) {
    QByteArray svg = vectorLayerSvg(scene, points, error);
    const int body = svg.indexOf("<g>");
    if (body < 0) {
        if (error && error->isEmpty())
            *error = QObject::tr("VTK's GL2PS exporter wrote an SVG without a body");
        return {};
    }
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    rasterLayer(scene, points, dpi).save(&buffer, "PNG");
    const QByteArray image = "<image x=\"0\" y=\"0\" width=\"" +
                             QByteArray::number(points.width()) + "\" height=\"" +
                             QByteArray::number(points.height()) +
                             "\" preserveAspectRatio=\"none\" xlink:href=\"data:image/png;base64," +
                             png.toBase64() + "\"/>\n";
    svg.insert(body, image);
    return svg;
}

// The same figure as PDF: Qt draws the SVG onto a page of `points`, so the
// text stays vector paths and the raster layer keeps its resolution.
QByteArray figurePdf(const QByteArray& svg, QSize points) {
    QSvgRenderer renderer(svg);
    if (!renderer.isValid()) return {};
    QByteArray pdf;
    QBuffer buffer(&pdf);
    buffer.open(QIODevice::WriteOnly);
    QPdfWriter writer(&buffer);
    writer.setPageSize(QPageSize(QSizeF(points), QPageSize::Point));
    writer.setPageMargins(QMarginsF());
    writer.setResolution(72);
    writer.setCreator(QStringLiteral("Basin"));
    QPainter painter(&writer);
    renderer.render(&painter, QRectF(QPointF(), QSizeF(points)));
    painter.end();
    return pdf;
}

// The contour map's CSV writer: one format for the figures of both views.
bool writeGridCsv(const Grid2D& grid, const QString& path, QString* error) {
    ContourMapView writer;
    ContourMapView::Options options;
    options.isolines = 0;
    writer.setGrid(grid, options);
    return writer.saveCsv(path, error);
}

}  // namespace

QImage renderSurfaceFigure(const SurfaceScene& scene, QSize size, double dpi) {
    auto window = offscreenWindow(size, dpi, 8);
    if (scene.grid().nx() < 2 || scene.grid().ny() < 2) return {};
    QImage image;
    {
        FigureScene figure(scene, window);
        window->Render();
        image = grab(window);
    }
    window->Finalize();
    const int dotsPerMeter = int(std::lround(dpi / 0.0254));
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    return image;
}

bool exportSurfaceFigure(const SurfaceScene& scene, const QString& path, QSize size, double dpi,
                         QString* error) {
    if (scene.grid().nx() < 2 || scene.grid().ny() < 2) {
        if (error) *error = QObject::tr("the 3D view has no surface to export yet");
        return false;
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("svg") || suffix == QLatin1String("pdf")) {
        const QSize points(std::clamp(size.width(), 16, kMaxSide),
                           std::clamp(size.height(), 16, kMaxSide));
        QString why;
        QByteArray bytes = figureSvg(scene, points, dpi, &why);
        if (!bytes.isEmpty() && suffix == QLatin1String("pdf")) bytes = figurePdf(bytes, points);
        if (bytes.isEmpty()) {
            if (error) *error = why.isEmpty() ? QObject::tr("cannot draw '%1'").arg(path) : why;
            return false;
        }
        if (!writeFileAtomically(path, bytes, error)) return false;
    } else {
        const QImage image = renderSurfaceFigure(scene, size, dpi);
        QSaveFile file(path);
        if (image.isNull() || !file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") ||
            !file.commit()) {
            if (error) *error = QObject::tr("cannot write '%1'").arg(path);
            return false;
        }
    }
    return writeGridCsv(scene.grid(), csvBesideFigure(path), error);
}

}  // namespace basin::widgets
