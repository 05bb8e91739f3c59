#pragma once
// A 2D heatmap of a Grid2D (a loss surface slice, an analytic landscape) drawn
// on the GPU, with anti-aliased isolines, pan/zoom and a hover readout, and its
// "Map" ImGui panel (colormap, log scale, isolines, level count, reset view,
// frame time).
//
// Rendering: the values go to the GPU once as an R32F texture (no
// normalization on the CPU, so NaN — "not computed yet" — survives and shows
// grey); the colormap is a 256×1 lookup texture from basin::colormapTable. The
// fragment shader (shaders/heatmap.frag) interpolates bilinearly between grid
// nodes (evenly spaced axes, as linspace grids have, index directly;
// non-uniform x/y spacing is honoured by a binary search in the coordinate
// arrays), maps the value to [0, 1] linearly or as
// log(1 + v − min), and draws isolines at N evenly spaced levels of that
// mapped value, one pixel wide whatever the zoom (fwidth-based coverage).
//
// View: the grid's rectangle fitted into the widget with equal units on both
// axes; zoom (wheel, about the pointer) is relative to that fit, pan (left
// drag) moves the centre.

#include <QObject>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <memory>

#include "gl/GlLayer.h"
#include "landscape/Grid2D.h"
#include "util/Colormap.h"

class QOpenGLShaderProgram;

namespace basin::widgets {

class HeatmapLayer : public QObject, public GlLayer {
    Q_OBJECT
public:
    explicit HeatmapLayer(QObject* parent = nullptr);
    ~HeatmapLayer() override;

    // The field to show. Grids with fewer than 2 points along an axis, or whose
    // values do not match x × y, are rejected with a message in errorString().
    void setGrid(Grid2D grid);
    const Grid2D& grid() const { return m_grid; }

    void setColormap(Colormap map);
    Colormap colormap() const { return m_colormap; }
    void setLogScale(bool on);
    bool logScale() const { return m_logScale; }
    void setIsolinesVisible(bool on);
    bool isolinesVisible() const { return m_isolines; }
    // Number of isolines (levels strictly between min and max), 1..64.
    void setIsolineCount(int n);
    int isolineCount() const { return m_isolineCount; }

    // --- view ----------------------------------------------------------------
    // Data coordinate at the widget's centre, and zoom relative to the fit
    // (1 = whole grid visible).
    QPointF viewCenter() const { return m_center; }
    double viewZoom() const { return m_zoom; }
    void setView(QPointF center, double zoom);
    void resetView();
    // Data coordinate under a widget pixel, and back.
    QPointF dataAt(QPointF widgetPos) const;
    QPointF widgetAt(QPointF dataPos) const;
    // Bilinear value at a data coordinate as the shader computes it; NaN
    // outside the grid or next to a missing value.
    double valueAt(QPointF dataPos) const;

    // Hover readout: the last position under the pointer outside the overlay.
    bool hasHover() const { return m_hasHover; }
    QPointF hoverPosition() const { return m_hover; }

    // The shader files, ":/shaders/heatmap.vert" / ".frag" by default; takes
    // effect at the next initialize().
    void setShaderPaths(const QString& vertex, const QString& fragment);

    // GlLayer
    bool initialize(QOpenGLExtraFunctions& gl) override;
    void paint(QOpenGLExtraFunctions& gl, const GlFrame& frame) override;
    void release(QOpenGLExtraFunctions& gl) override;
    QString errorString() const override;
    void drawImGui() override;
    bool mousePress(QMouseEvent* e) override;
    bool mouseMove(QMouseEvent* e) override;
    bool mouseRelease(QMouseEvent* e) override;
    bool wheel(QWheelEvent* e) override;
    void hoverLeft() override;

Q_SIGNALS:
    // Colormap, scale or isolines changed (from code or from the panel).
    void settingsChanged();
    // Pan or zoom changed.
    void viewChanged();
    // The pointer moved over the map: data coordinate and value (NaN outside).
    void hovered(QPointF dataPos, double value);

private:
    double fitUnitsPerPixel() const;
    double unitsPerPixel() const { return fitUnitsPerPixel() / m_zoom; }
    QRectF dataRect() const;
    void uploadGrid(QOpenGLExtraFunctions& gl);
    void uploadColormap(QOpenGLExtraFunctions& gl);
    void changed();

    Grid2D m_grid;
    QString m_gridError;
    double m_min = 0, m_max = 1;  // finite range of the values
    // Per axis: evenly spaced coordinates, so the shader skips its binary search.
    bool m_xEvenlySpaced = false, m_yEvenlySpaced = false;
    Colormap m_colormap = Colormap::Viridis;
    bool m_logScale = false;
    bool m_isolines = false;
    int m_isolineCount = 10;

    QPointF m_center;
    double m_zoom = 1;
    bool m_dragging = false;
    QPointF m_dragLast;
    bool m_hasHover = false;
    QPointF m_hover;

    QString m_vertexPath, m_fragmentPath;
    QString m_shaderError;
    std::unique_ptr<QOpenGLShaderProgram> m_program;
    unsigned m_vao = 0;
    unsigned m_valueTexture = 0, m_xTexture = 0, m_yTexture = 0, m_colormapTexture = 0;
    bool m_gridDirty = true, m_colormapDirty = true;
};

}  // namespace basin::widgets
