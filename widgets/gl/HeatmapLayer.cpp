#include "gl/HeatmapLayer.h"

#include <QMouseEvent>
#include <QOpenGLExtraFunctions>
#include <QOpenGLShaderProgram>
#include <QWheelEvent>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "gl/ImGuiBridge.h"
#include "gl/ShaderProgram.h"
#include "imgui.h"

namespace basin::widgets {
namespace {

constexpr int kColormapSize = 256;
constexpr double kMarginPx = 16;  // around the fitted grid
constexpr double kMinZoom = 0.05, kMaxZoom = 2000;
constexpr std::array<Colormap, 3> kColormaps = {Colormap::Viridis, Colormap::Coolwarm,
                                                Colormap::Greys};

// Whether `coords` are evenly spaced (a linspace, up to rounding: 1e-9 of the
// range), so the shader can compute the fractional index directly instead of
// binary-searching the coordinate texture.
bool evenlySpaced(const std::vector<double>& coords) {
    if (coords.size() < 2) return false;
    const double first = coords.front();
    const double range = coords.back() - first;
    const double step = range / double(coords.size() - 1);
    const double tolerance = 1e-9 * std::abs(range);
    for (size_t i = 1; i + 1 < coords.size(); ++i) {
        if (!(std::abs(coords[i] - (first + step * double(i))) <= tolerance)) return false;
    }
    return true;
}

void setTextureParameters(QOpenGLExtraFunctions& gl, GLenum filter) {
    // NEAREST/LINEAR without mipmaps: the default minification filter wants
    // mipmaps and leaves the texture incomplete (texelFetch then reads 0).
    gl.glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GLint(filter));
    gl.glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GLint(filter));
    gl.glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    gl.glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

void uploadFloatTexture(QOpenGLExtraFunctions& gl, GLuint texture, int width, int height,
                        const float* data) {
    gl.glBindTexture(GL_TEXTURE_2D, texture);
    setTextureParameters(gl, GL_NEAREST);
    gl.glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    gl.glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, width, height, 0, GL_RED, GL_FLOAT, data);
}

}  // namespace

HeatmapLayer::HeatmapLayer(QObject* parent)
    : QObject(parent),
      m_vertexPath(QStringLiteral(":/shaders/heatmap.vert")),
      m_fragmentPath(QStringLiteral(":/shaders/heatmap.frag")) {}

HeatmapLayer::~HeatmapLayer() = default;

void HeatmapLayer::setGrid(Grid2D grid) {
    m_grid = std::move(grid);
    m_gridError.clear();
    if (m_grid.nx() < 2 || m_grid.ny() < 2) {
        m_gridError = QStringLiteral(
                          "the grid '%1' has %2 × %3 points; a heatmap needs at "
                          "least 2 along each axis")
                          .arg(QString::fromStdString(m_grid.name))
                          .arg(m_grid.nx())
                          .arg(m_grid.ny());
    } else if (m_grid.values.size() != m_grid.nx() * m_grid.ny()) {
        m_gridError = QStringLiteral("the grid '%1' has %2 values for %3 × %4 points")
                          .arg(QString::fromStdString(m_grid.name))
                          .arg(m_grid.values.size())
                          .arg(m_grid.nx())
                          .arg(m_grid.ny());
    }
    const auto [lo, hi] =
        m_gridError.isEmpty() ? m_grid.finiteRange() : std::pair<double, double>(0.0, 1.0);
    m_min = std::isfinite(lo) ? lo : 0.0;
    m_max = std::isfinite(hi) ? hi : 1.0;
    m_xEvenlySpaced = evenlySpaced(m_grid.x);
    m_yEvenlySpaced = evenlySpaced(m_grid.y);
    m_gridDirty = true;
    m_hasHover = false;
    resetView();
}

void HeatmapLayer::setColormap(Colormap map) {
    if (map == m_colormap) return;
    m_colormap = map;
    m_colormapDirty = true;
    changed();
}

void HeatmapLayer::setLogScale(bool on) {
    if (on == m_logScale) return;
    m_logScale = on;
    changed();
}

void HeatmapLayer::setIsolinesVisible(bool on) {
    if (on == m_isolines) return;
    m_isolines = on;
    changed();
}

void HeatmapLayer::setIsolineCount(int n) {
    n = std::clamp(n, 1, 64);
    if (n == m_isolineCount) return;
    m_isolineCount = n;
    changed();
}

void HeatmapLayer::changed() {
    Q_EMIT settingsChanged();
    if (host()) host()->requestUpdate();
}

void HeatmapLayer::setShaderPaths(const QString& vertex, const QString& fragment) {
    m_vertexPath = vertex;
    m_fragmentPath = fragment;
}

// --- view ---------------------------------------------------------------------

QRectF HeatmapLayer::dataRect() const {
    if (!m_gridError.isEmpty() || m_grid.nx() < 2) return QRectF(-1, -1, 2, 2);
    return QRectF(QPointF(m_grid.x.front(), m_grid.y.front()),
                  QPointF(m_grid.x.back(), m_grid.y.back()));
}

double HeatmapLayer::fitUnitsPerPixel() const {
    const QSize size = host() ? host()->viewSize() : QSize(640, 480);
    const QRectF r = dataRect();
    const double w = std::max(1.0, size.width() - 2 * kMarginPx);
    const double h = std::max(1.0, size.height() - 2 * kMarginPx);
    const double upp = std::max(r.width() / w, r.height() / h);
    return upp > 0 ? upp : 1.0;
}

void HeatmapLayer::setView(QPointF center, double zoom) {
    m_center = center;
    m_zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
    Q_EMIT viewChanged();
    if (host()) host()->requestUpdate();
}

void HeatmapLayer::resetView() {
    setView(dataRect().center(), 1.0);
}

QPointF HeatmapLayer::dataAt(QPointF p) const {
    const QSize size = host() ? host()->viewSize() : QSize(640, 480);
    const double upp = unitsPerPixel();
    // Widget y grows downwards, data y upwards.
    return {m_center.x() + (p.x() - size.width() / 2.0) * upp,
            m_center.y() - (p.y() - size.height() / 2.0) * upp};
}

QPointF HeatmapLayer::widgetAt(QPointF d) const {
    const QSize size = host() ? host()->viewSize() : QSize(640, 480);
    const double upp = unitsPerPixel();
    return {size.width() / 2.0 + (d.x() - m_center.x()) / upp,
            size.height() / 2.0 - (d.y() - m_center.y()) / upp};
}

double HeatmapLayer::valueAt(QPointF d) const {
    // The shader interpolates the same way (bilinear between grid nodes).
    if (!m_gridError.isEmpty()) return std::numeric_limits<double>::quiet_NaN();
    return m_grid.interpolate(d.x(), d.y());
}

// --- GL -----------------------------------------------------------------------

bool HeatmapLayer::initialize(QOpenGLExtraFunctions& gl) {
    m_program = buildShaderProgram(m_vertexPath, m_fragmentPath, &m_shaderError);
    if (!m_program) return false;
    gl.glGenVertexArrays(1, &m_vao);  // core profile draws need a bound VAO
    std::array<GLuint, 4> textures{};
    gl.glGenTextures(GLsizei(textures.size()), textures.data());
    m_valueTexture = textures[0];
    m_xTexture = textures[1];
    m_yTexture = textures[2];
    m_colormapTexture = textures[3];
    m_gridDirty = m_colormapDirty = true;
    return true;
}

void HeatmapLayer::release(QOpenGLExtraFunctions& gl) {
    if (m_vao) gl.glDeleteVertexArrays(1, &m_vao);
    const std::array<GLuint, 4> textures = {m_valueTexture, m_xTexture, m_yTexture,
                                            m_colormapTexture};
    if (m_valueTexture) gl.glDeleteTextures(GLsizei(textures.size()), textures.data());
    m_vao = m_valueTexture = m_xTexture = m_yTexture = m_colormapTexture = 0;
    m_program.reset();
}

QString HeatmapLayer::errorString() const {
    if (!m_shaderError.isEmpty()) return m_shaderError;
    return m_gridError;
}

void HeatmapLayer::uploadGrid(QOpenGLExtraFunctions& gl) {
    const int nx = int(m_grid.nx()), ny = int(m_grid.ny());
    GLint maxSize = 0;
    gl.glGetIntegerv(GL_MAX_TEXTURE_SIZE, &maxSize);
    if (nx > maxSize || ny > maxSize) {
        m_gridError = QStringLiteral("the grid '%1' (%2 × %3) exceeds this GPU's texture size %4")
                          .arg(QString::fromStdString(m_grid.name))
                          .arg(nx)
                          .arg(ny)
                          .arg(maxSize);
        return;
    }
    // Grid2D is x-outer (values[ix * ny + iy]) and GL rows are the outer
    // index, so the texture is ny wide and nx high: texel (iy, ix). No
    // transpose on the CPU; the shader swaps the indices.
    const std::vector<float> values(m_grid.values.begin(), m_grid.values.end());
    const std::vector<float> xs(m_grid.x.begin(), m_grid.x.end());
    const std::vector<float> ys(m_grid.y.begin(), m_grid.y.end());
    uploadFloatTexture(gl, m_valueTexture, ny, nx, values.data());
    uploadFloatTexture(gl, m_xTexture, nx, 1, xs.data());
    uploadFloatTexture(gl, m_yTexture, ny, 1, ys.data());
}

void HeatmapLayer::uploadColormap(QOpenGLExtraFunctions& gl) {
    const std::vector<Rgb> table = colormapTable(m_colormap, kColormapSize);
    std::vector<unsigned char> rgba;
    rgba.reserve(table.size() * 4);
    for (const Rgb& c : table) {
        for (const float v : {c.r, c.g, c.b, 1.0f}) {
            rgba.push_back(
                static_cast<unsigned char>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255)));
        }
    }
    gl.glBindTexture(GL_TEXTURE_2D, m_colormapTexture);
    setTextureParameters(gl, GL_LINEAR);
    gl.glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, kColormapSize, 1, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                    rgba.data());
}

void HeatmapLayer::paint(QOpenGLExtraFunctions& gl, const GlFrame& frame) {
    if (!m_program || !m_gridError.isEmpty() || m_grid.nx() < 2) return;
    if (m_gridDirty) {
        uploadGrid(gl);
        m_gridDirty = false;
        if (!m_gridError.isEmpty()) return;
    }
    if (m_colormapDirty) {
        uploadColormap(gl);
        m_colormapDirty = false;
    }

    const double upp = unitsPerPixel();
    m_program->bind();
    m_program->setUniformValue("uCenter", QVector2D(float(m_center.x()), float(m_center.y())));
    m_program->setUniformValue("uHalfExtent",
                               QVector2D(float(frame.logicalSize.width() / 2.0 * upp),
                                         float(frame.logicalSize.height() / 2.0 * upp)));
    m_program->setUniformValue("uValues", 0);
    m_program->setUniformValue("uXCoords", 1);
    m_program->setUniformValue("uYCoords", 2);
    m_program->setUniformValue("uColormap", 3);
    gl.glUniform2i(m_program->uniformLocation("uGridSize"), GLint(m_grid.nx()), GLint(m_grid.ny()));
    // The grid's corners as the coordinate textures hold them (float), so the
    // inside test agrees with the texels.
    m_program->setUniformValue("uFirstCoord",
                               QVector2D(float(m_grid.x.front()), float(m_grid.y.front())));
    m_program->setUniformValue("uLastCoord",
                               QVector2D(float(m_grid.x.back()), float(m_grid.y.back())));
    gl.glUniform2i(m_program->uniformLocation("uEvenlySpaced"), GLint(m_xEvenlySpaced),
                   GLint(m_yEvenlySpaced));
    m_program->setUniformValue("uRange", QVector2D(float(m_min), float(m_max)));
    m_program->setUniformValue("uLogScale", GLint(m_logScale));
    m_program->setUniformValue("uIsolines", GLint(m_isolines));
    m_program->setUniformValue("uIsolineCount", GLint(m_isolineCount));
    m_program->setUniformValue("uLineWidth", float(1.2 * frame.devicePixelRatio));
    m_program->setUniformValue("uNanColor", QVector3D(0.5f, 0.5f, 0.5f));

    const std::array<GLuint, 4> textures = {m_valueTexture, m_xTexture, m_yTexture,
                                            m_colormapTexture};
    for (size_t unit = 0; unit < textures.size(); ++unit) {
        gl.glActiveTexture(GLenum(GL_TEXTURE0 + unit));
        gl.glBindTexture(GL_TEXTURE_2D, textures[unit]);
    }
    gl.glDisable(GL_DEPTH_TEST);
    gl.glDisable(GL_BLEND);
    gl.glBindVertexArray(m_vao);
    gl.glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    gl.glBindVertexArray(0);
    gl.glActiveTexture(GL_TEXTURE0);
    m_program->release();
}

// --- panel --------------------------------------------------------------------

void HeatmapLayer::drawImGui() {
    ImGuiBridge& ui = host()->imgui();
    ImGui::SetNextWindowPos(ImVec2(10, 10), ImGuiCond_FirstUseEver);
    // Fixed width so the panel does not jump as the readout text changes.
    ImGui::SetNextWindowSizeConstraints(ImVec2(250, 0), ImVec2(250, 10000));
    const bool open = ImGui::Begin("Map", nullptr, ImGuiWindowFlags_AlwaysAutoResize);
    ui.recordWindow(QStringLiteral("Map"));
    if (!open) {
        ImGui::End();
        return;
    }
    ImGui::PushItemWidth(140);
    const char* current = colormapName(m_colormap);
    if (ImGui::BeginCombo("Colormap", current)) {
        for (const Colormap map : kColormaps) {
            if (ImGui::Selectable(colormapName(map), map == m_colormap)) setColormap(map);
            ui.recordLastItem(QStringLiteral("Map/Colormap/") + colormapName(map));
        }
        ImGui::EndCombo();
    }
    ui.recordLastItem(QStringLiteral("Map/Colormap"));

    bool logScale = m_logScale;
    if (ImGui::Checkbox("Log scale", &logScale)) setLogScale(logScale);
    ui.recordLastItem(QStringLiteral("Map/Log scale"));
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("log(1 + v - min): detail near the minimum");

    bool isolines = m_isolines;
    if (ImGui::Checkbox("Isolines", &isolines)) setIsolinesVisible(isolines);
    ui.recordLastItem(QStringLiteral("Map/Isolines"));

    ImGui::BeginDisabled(!m_isolines);
    int levels = m_isolineCount;
    if (ImGui::SliderInt("Levels", &levels, 1, 64)) setIsolineCount(levels);
    ui.recordLastItem(QStringLiteral("Map/Levels"));
    ImGui::EndDisabled();
    ImGui::PopItemWidth();

    if (ImGui::Button("Reset view")) resetView();
    ui.recordLastItem(QStringLiteral("Map/Reset view"));
    ImGui::SameLine();
    ImGui::TextDisabled("zoom %.2fx", m_zoom);

    ImGui::Separator();
    const std::string name = m_grid.name.empty() ? std::string("value") : m_grid.name;
    ImGui::Text("%s  %zu x %zu", name.c_str(), m_grid.nx(), m_grid.ny());
    ImGui::Text("range %.4g .. %.4g", m_min, m_max);
    if (m_hasHover) {
        const double v = valueAt(m_hover);
        ImGui::Text("x %.4g  y %.4g", m_hover.x(), m_hover.y());
        if (std::isnan(v)) {
            ImGui::TextDisabled("%s not computed", name.c_str());
        } else {
            ImGui::Text("%s %.5g", name.c_str(), v);
        }
    } else {
        ImGui::TextDisabled("hover the map for values");
        ImGui::TextDisabled("drag: pan, wheel: zoom");
    }
    ui.recordLastItem(QStringLiteral("Map/Readout"));
    ImGui::Separator();
    ImGui::Text("frame %.1f ms CPU", host()->lastFrameMs());
    ImGui::End();
}

// --- input --------------------------------------------------------------------

bool HeatmapLayer::mousePress(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton && e->button() != Qt::MiddleButton) return false;
    m_dragging = true;
    m_dragLast = e->position();
    return true;
}

bool HeatmapLayer::mouseMove(QMouseEvent* e) {
    if (m_dragging) {
        const QPointF delta = e->position() - m_dragLast;
        m_dragLast = e->position();
        const double upp = unitsPerPixel();
        setView(m_center + QPointF(-delta.x() * upp, delta.y() * upp), m_zoom);
    }
    m_hover = dataAt(e->position());
    m_hasHover = dataRect().contains(m_hover);
    Q_EMIT hovered(m_hover, valueAt(m_hover));
    if (host()) host()->requestUpdate();
    return true;
}

bool HeatmapLayer::mouseRelease(QMouseEvent* e) {
    if (e->buttons() & (Qt::LeftButton | Qt::MiddleButton)) return true;
    m_dragging = false;
    return true;
}

bool HeatmapLayer::wheel(QWheelEvent* e) {
    const double steps = e->angleDelta().y() / 120.0;
    if (steps == 0) return false;
    // Zoom about the pointer: the data point under it stays under it.
    const QPointF anchor = dataAt(e->position());
    const double zoom = std::clamp(m_zoom * std::pow(1.25, steps), kMinZoom, kMaxZoom);
    const QSize size = host() ? host()->viewSize() : QSize(640, 480);
    const double upp = fitUnitsPerPixel() / zoom;
    const QPointF center(anchor.x() - (e->position().x() - size.width() / 2.0) * upp,
                         anchor.y() + (e->position().y() - size.height() / 2.0) * upp);
    setView(center, zoom);
    return true;
}

void HeatmapLayer::hoverLeft() {
    if (!m_hasHover) return;
    m_hasHover = false;
    if (host()) host()->requestUpdate();
}

}  // namespace basin::widgets
