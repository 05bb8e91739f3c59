#include "splats/SplatLayer.h"

#include <QKeyEvent>
#include <QMetaObject>
#include <QMouseEvent>
#include <QOpenGLExtraFunctions>
#include <QOpenGLShaderProgram>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <exception>
#include <numeric>

#include "gl/ImGuiBridge.h"
#include "gl/ShaderProgram.h"
#include "imgui.h"
#include "splats/FeedbackProgram.h"
#include "splats/SplatDisplayValues.h"

namespace basin::widgets {
namespace {

constexpr float kNearPlane = 0.2f;  // as SplatRasterOptions
constexpr const char* kDisplayNames[] = {"colour", "quantity", "ellipsoids", "points"};
constexpr std::array<Colormap, 4> kColormaps = {Colormap::Viridis, Colormap::Inferno,
                                                Colormap::Coolwarm, Colormap::Greys};

// Uploads `floats` (a multiple of 4) to `buffer` and makes `texture` an
// RGBA32F buffer texture over it.
void uploadBufferTexture(QOpenGLExtraFunctions& gl, GLuint buffer, GLuint texture,
                         const std::vector<float>& floats) {
    gl.glBindBuffer(GL_TEXTURE_BUFFER, buffer);
    // An empty buffer store is not allowed as a texture's source: keep one texel.
    const std::size_t bytes = std::max<std::size_t>(floats.size(), 4) * sizeof(float);
    gl.glBufferData(GL_TEXTURE_BUFFER, GLsizeiptr(bytes), nullptr, GL_STATIC_DRAW);
    if (!floats.empty())
        gl.glBufferSubData(GL_TEXTURE_BUFFER, 0, GLsizeiptr(floats.size() * sizeof(float)),
                           floats.data());
    gl.glBindTexture(GL_TEXTURE_BUFFER, texture);
    gl.glTexBuffer(GL_TEXTURE_BUFFER, GL_RGBA32F, buffer);
    gl.glBindBuffer(GL_TEXTURE_BUFFER, 0);
}

}  // namespace

SplatLayer::SplatLayer(QObject* parent)
    : QObject(parent),
      m_sorter([this] {
          // Worker thread: schedule a frame on the GUI thread to upload the order.
          QMetaObject::invokeMethod(
              this, [this] { changed(); }, Qt::QueuedConnection);
      }),
      m_projectionPath(QStringLiteral(":/shaders/splat_project.vert")),
      m_vertexPath(QStringLiteral(":/shaders/splat.vert")),
      m_fragmentPath(QStringLiteral(":/shaders/splat.frag")) {}

SplatLayer::~SplatLayer() = default;

void SplatLayer::setSplats(RenderSplats splats, std::vector<SplatQuantity> quantities, bool frame) {
    m_dataError.clear();
    try {
        splats.validate();
        for (const SplatQuantity& q : quantities)
            if (q.values.size() != splats.size())
                throw std::runtime_error("the quantity '" + q.name + "' has " +
                                         std::to_string(q.values.size()) + " values for " +
                                         std::to_string(splats.size()) + " splats");
    } catch (const std::exception& e) {
        m_dataError = QStringLiteral("The splats cannot be drawn: %1.").arg(e.what());
        splats = RenderSplats{};
        quantities.clear();
    }
    m_splats = std::move(splats);
    m_quantities = std::move(quantities);
    m_centres = std::make_shared<const std::vector<float>>(m_splats.centres);
    m_sorter.setCentres(m_centres);
    // Until the worker sorts the new centres: the last order when the count is
    // unchanged (a posed frame of the same avatar: nearly right, no flicker),
    // else the index order reversed.
    if (m_order.size() != m_splats.size()) {
        m_order.resize(m_splats.size());
        std::iota(m_order.rbegin(), m_order.rend(), 0u);
    }
    if (m_mask.size() != m_splats.size()) m_mask.clear();
    m_splatsDirty = m_coloursDirty = m_maskDirty = true;
    const std::vector<std::string> names = splatValueNames(m_quantities);
    if (std::find(names.begin(), names.end(), m_quantity) == names.end()) m_quantity = "opacity";
    if (frame) frameCloud();
    updateSelectionCount();
    changed();
}

void SplatLayer::setCloud(const GaussianCloud& cloud, bool frame) {
    try {
        setSplats(RenderSplats::fromCloud(cloud), cloud.quantities, frame);
    } catch (const std::exception& e) {
        setSplats(RenderSplats{}, {}, false);
        m_dataError = QStringLiteral("The splat cloud cannot be drawn: %1.").arg(e.what());
    }
}

void SplatLayer::changed() {
    if (host()) host()->requestUpdate();
}

// --- camera -------------------------------------------------------------------

QSize SplatLayer::framebufferSize() const {
    if (!host()) return QSize(640, 480);
    const QSize logical = host()->viewSize();
    const qreal dpr = host()->viewDevicePixelRatio();
    return QSize(std::max(1, qRound(logical.width() * dpr)),
                 std::max(1, qRound(logical.height() * dpr)));
}

SplatCamera SplatLayer::camera() const {
    const QSize size = framebufferSize();
    return m_orbit.camera(size.width(), size.height());
}

void SplatLayer::setOrbit(const OrbitCamera& orbit) {
    m_orbit = orbit;
    m_orbit.elevationDegrees = std::clamp(m_orbit.elevationDegrees, -89.0f, 89.0f);
    updateSelectionCount();
    Q_EMIT cameraChanged();
    changed();
}

void SplatLayer::setPanelCollapsed(bool collapsed) {
    m_collapsePanel = collapsed ? 1 : 0;
    changed();
}

void SplatLayer::frameCloud() {
    if (m_splats.size() == 0) return;
    std::array<float, 6> bounds{};
    for (int k = 0; k < 3; ++k) {
        bounds[k] = std::numeric_limits<float>::infinity();
        bounds[3 + k] = -std::numeric_limits<float>::infinity();
    }
    for (std::size_t i = 0; i < m_splats.size(); ++i) {
        for (int k = 0; k < 3; ++k) {
            const float v = m_splats.centres[3 * i + k];
            if (!std::isfinite(v)) continue;
            bounds[k] = std::min(bounds[k], v);
            bounds[3 + k] = std::max(bounds[3 + k], v);
        }
    }
    if (!(bounds[0] <= bounds[3])) return;
    OrbitCamera orbit = m_orbit;
    const QSize size = framebufferSize();
    orbit.frame(bounds, size.width(), size.height());
    setOrbit(orbit);
}

// --- display ------------------------------------------------------------------

void SplatLayer::setShDegree(int degree) {
    degree = std::clamp(degree, 0, 3);
    if (degree == m_shDegree) return;
    m_shDegree = degree;
    changed();
}

void SplatLayer::setDisplay(SplatDisplay display) {
    if (display == m_display) return;
    m_display = display;
    changed();
}

void SplatLayer::setQuantity(const std::string& name) {
    if (name == m_quantity) return;
    m_quantity = name;
    m_coloursDirty = true;
    changed();
}

void SplatLayer::setColormap(Colormap map) {
    if (map == m_colormap) return;
    m_colormap = map;
    m_coloursDirty = true;
    changed();
}

void SplatLayer::setBackground(const std::array<float, 3>& rgb) {
    m_background = rgb;
    changed();
}

void SplatLayer::setShaderPaths(const QString& projection, const QString& vertex,
                                const QString& fragment) {
    m_projectionPath = projection;
    m_vertexPath = vertex;
    m_fragmentPath = fragment;
}

// --- selection ----------------------------------------------------------------

void SplatLayer::setSelection(const QRectF& box) {
    m_selection = box.normalized();
    updateSelectionCount();
    Q_EMIT selectionChanged();
    changed();
}

void SplatLayer::updateSelectionCount() {
    m_selectionCount = {};
    if (m_selection.isNull() || m_splats.size() == 0) return;
    const qreal dpr = host() ? host()->viewDevicePixelRatio() : 1.0;
    const SplatBox box{float(m_selection.left() * dpr), float(m_selection.top() * dpr),
                       float(m_selection.right() * dpr), float(m_selection.bottom() * dpr)};
    m_selectionCount = countInBox(m_splats, partQuantity(m_quantities, m_splats.size()), camera(),
                                  box, kNearPlane);
}

void SplatLayer::setHighlightMask(std::vector<std::uint8_t> mask) {
    m_mask = mask.size() == m_splats.size() ? std::move(mask) : std::vector<std::uint8_t>{};
    m_maskDirty = true;
    changed();
}

// --- sorting ------------------------------------------------------------------

bool SplatLayer::waitForSort(int timeoutMs) {
    m_sorter.request(camera());
    return m_sorter.waitIdle(timeoutMs);
}

// --- GL -----------------------------------------------------------------------

bool SplatLayer::initialize(QOpenGLExtraFunctions& gl) {
    m_projectProgram = buildFeedbackProgram(
        gl, m_projectionPath, {"vProjected0", "vProjected1", "vProjected2"}, &m_shaderError);
    if (!m_projectProgram) return false;
    m_program = buildShaderProgram(m_vertexPath, m_fragmentPath, &m_shaderError);
    if (!m_program) return false;
    gl.glGenVertexArrays(1, &m_vao);
    gl.glGenVertexArrays(1, &m_pointVao);
    gl.glGenBuffers(1, &m_indexBuffer);
    gl.glGenBuffers(GLsizei(m_buffers.size()), m_buffers.data());
    gl.glGenTextures(GLsizei(m_textures.size()), m_textures.data());
    gl.glBindVertexArray(m_vao);
    gl.glBindBuffer(GL_ARRAY_BUFFER, m_indexBuffer);
    gl.glEnableVertexAttribArray(0);
    gl.glVertexAttribIPointer(0, 1, GL_UNSIGNED_INT, 0, nullptr);
    gl.glVertexAttribDivisor(0, 1);
    gl.glBindVertexArray(0);
    gl.glBindBuffer(GL_ARRAY_BUFFER, 0);
    m_splatsDirty = m_coloursDirty = true;
    return true;
}

void SplatLayer::release(QOpenGLExtraFunctions& gl) {
    if (m_vao) {
        gl.glDeleteVertexArrays(1, &m_vao);
        gl.glDeleteVertexArrays(1, &m_pointVao);
        gl.glDeleteBuffers(1, &m_indexBuffer);
        gl.glDeleteBuffers(GLsizei(m_buffers.size()), m_buffers.data());
        gl.glDeleteTextures(GLsizei(m_textures.size()), m_textures.data());
    }
    m_vao = m_pointVao = m_indexBuffer = 0;
    m_buffers = {};
    m_textures = {};
    m_program.reset();
    m_projectProgram.reset();
}

QString SplatLayer::errorString() const {
    if (!m_shaderError.isEmpty()) return m_shaderError;
    return m_dataError;
}

void SplatLayer::uploadSplats(QOpenGLExtraFunctions& gl) {
    const std::size_t n = m_splats.size();
    const int k = m_splats.shCoefficientCount();
    m_shStride = (3 * k + 3) / 4;
    GLint maxTexels = 0;
    gl.glGetIntegerv(GL_MAX_TEXTURE_BUFFER_SIZE, &maxTexels);
    if (double(n) * std::max(m_shStride, 3) > double(maxTexels)) {
        m_dataError = QStringLiteral(
                          "The splats' SH coefficients or projections (%1 splats × %2 texels) "
                          "exceed this GPU's texture buffer size of %3 texels.")
                          .arg(n)
                          .arg(std::max(m_shStride, 3))
                          .arg(maxTexels);
        return;
    }
    std::vector<float> centres(4 * n), covariances(8 * n, 0.0f),
        sh(4 * std::size_t(m_shStride) * n, 0.0f);
    for (std::size_t i = 0; i < n; ++i) {
        std::copy_n(&m_splats.centres[3 * i], 3, &centres[4 * i]);
        centres[4 * i + 3] = m_splats.opacities[i];
        std::copy_n(&m_splats.covariances[6 * i], 6, &covariances[8 * i]);
        std::copy_n(&m_splats.sh[3 * std::size_t(k) * i], 3 * k,
                    &sh[4 * std::size_t(m_shStride) * i]);
    }
    uploadBufferTexture(gl, m_buffers[0], m_textures[0], centres);
    uploadBufferTexture(gl, m_buffers[1], m_textures[1], covariances);
    uploadBufferTexture(gl, m_buffers[2], m_textures[2], sh);
    // This frame's projection: 3 texels per splat, written by transform feedback.
    uploadBufferTexture(gl, m_buffers[4], m_textures[4], std::vector<float>(12 * n, 0.0f));
    gl.glBindBuffer(GL_ARRAY_BUFFER, m_indexBuffer);
    gl.glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(std::max<std::size_t>(n, 1) * 4), nullptr,
                    GL_DYNAMIC_DRAW);
    if (n > 0) gl.glBufferSubData(GL_ARRAY_BUFFER, 0, GLsizeiptr(n * 4), m_order.data());
    gl.glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void SplatLayer::uploadColours(QOpenGLExtraFunctions& gl) {
    const std::vector<float> rgb =
        colourValues(splatValues(m_splats, m_quantities, m_quantity), m_colormap);
    std::vector<float> rgba(4 * m_splats.size(), 1.0f);
    for (std::size_t i = 0; 3 * i < rgb.size() && i < m_splats.size(); ++i)
        std::copy_n(&rgb[3 * i], 3, &rgba[4 * i]);
    uploadBufferTexture(gl, m_buffers[3], m_textures[3], rgba);
}

void SplatLayer::uploadMask(QOpenGLExtraFunctions& gl) {
    // One byte per splat, 255 where highlighted; a single 0 when there is no mask.
    std::vector<std::uint8_t> bytes(std::max<std::size_t>(m_mask.size(), 1), 0);
    for (std::size_t i = 0; i < m_mask.size(); ++i)
        bytes[i] = m_mask[i] ? 255 : 0;
    gl.glBindBuffer(GL_TEXTURE_BUFFER, m_buffers[5]);
    gl.glBufferData(GL_TEXTURE_BUFFER, GLsizeiptr(bytes.size()), bytes.data(), GL_STATIC_DRAW);
    gl.glBindTexture(GL_TEXTURE_BUFFER, m_textures[5]);
    gl.glTexBuffer(GL_TEXTURE_BUFFER, GL_R8, m_buffers[5]);
    gl.glBindBuffer(GL_TEXTURE_BUFFER, 0);
}

void SplatLayer::paint(QOpenGLExtraFunctions& gl, const GlFrame& frame) {
    if (m_frameClock.isValid()) {
        const double seconds = double(m_frameClock.nsecsElapsed()) * 1e-9;
        if (seconds > 0) m_fps = m_fps > 0 ? 0.8 * m_fps + 0.2 / seconds : 1.0 / seconds;
    }
    m_frameClock.start();

    gl.glClearColor(m_background[0], m_background[1], m_background[2], 1.0f);
    gl.glClear(GL_COLOR_BUFFER_BIT);
    if (!m_program || !m_projectProgram || !m_dataError.isEmpty() || m_splats.size() == 0) return;
    if (m_splatsDirty) {
        uploadSplats(gl);
        m_splatsDirty = false;
        if (!m_dataError.isEmpty()) return;
    }
    if (m_coloursDirty) {
        uploadColours(gl);
        m_coloursDirty = false;
    }
    if (m_maskDirty) {
        uploadMask(gl);
        m_maskDirty = false;
    }

    const int width = frame.framebufferSize.width(), height = frame.framebufferSize.height();
    const SplatCamera cam = m_orbit.camera(width, height);
    m_sorter.request(cam);
    if (m_sorter.takeResult(&m_order) && m_order.size() == m_splats.size()) {
        gl.glBindBuffer(GL_ARRAY_BUFFER, m_indexBuffer);
        gl.glBufferSubData(GL_ARRAY_BUFFER, 0, GLsizeiptr(m_order.size() * 4), m_order.data());
        gl.glBindBuffer(GL_ARRAY_BUFFER, 0);
        ++m_sortsUploaded;
    }

    project(gl, cam, frame);

    m_program->bind();
    m_program->setUniformValue("uProjected", 0);
    m_program->setUniformValue("uViewport", QVector2D(float(width), float(height)));
    m_program->setUniformValue("uDisplay", GLint(m_display));
    m_program->setUniformValue("uPointRadius", float(m_pointRadius * frame.devicePixelRatio));
    gl.glActiveTexture(GL_TEXTURE0);
    gl.glBindTexture(GL_TEXTURE_BUFFER, m_textures[4]);
    gl.glDisable(GL_DEPTH_TEST);
    gl.glDisable(GL_CULL_FACE);
    gl.glEnable(GL_BLEND);
    // Premultiplied colour over what is behind; the framebuffer's alpha stays 1.
    gl.glBlendFuncSeparate(GL_ONE, GL_ONE_MINUS_SRC_ALPHA, GL_ZERO, GL_ONE);
    gl.glBlendEquation(GL_FUNC_ADD);
    gl.glBindVertexArray(m_vao);
    gl.glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, GLsizei(m_splats.size()));
    gl.glBindVertexArray(0);
    gl.glDisable(GL_BLEND);
    gl.glBindTexture(GL_TEXTURE_BUFFER, 0);
    m_program->release();
}

void SplatLayer::project(QOpenGLExtraFunctions& gl, const SplatCamera& cam, const GlFrame& frame) {
    const std::array<float, 9> rotation = cam.rotation();
    const int width = frame.framebufferSize.width(), height = frame.framebufferSize.height();
    m_projectProgram->bind();
    gl.glUniformMatrix3fv(m_projectProgram->uniformLocation("uRotation"), 1, GL_TRUE,
                          rotation.data());
    m_projectProgram->setUniformValue("uEye",
                                      QVector3D(cam.position[0], cam.position[1], cam.position[2]));
    m_projectProgram->setUniformValue("uFocal", QVector2D(cam.focalX(), cam.focalY()));
    m_projectProgram->setUniformValue("uViewport", QVector2D(float(width), float(height)));
    m_projectProgram->setUniformValue(
        "uFovLimit", QVector2D(1.3f * cam.tanHalfFovX(), 1.3f * cam.tanHalfFovY()));
    m_projectProgram->setUniformValue("uNear", kNearPlane);
    m_projectProgram->setUniformValue("uShDegree", GLint(std::min(m_shDegree, m_splats.shDegree)));
    m_projectProgram->setUniformValue("uShStride", GLint(m_shStride));
    m_projectProgram->setUniformValue("uDisplay", GLint(m_display));
    QVector4D highlight(1, 1, 0, 0);  // min > max: none
    if (!m_selection.isNull()) {
        const qreal dpr = frame.devicePixelRatio;
        highlight = QVector4D(float(m_selection.left() * dpr), float(m_selection.top() * dpr),
                              float(m_selection.right() * dpr), float(m_selection.bottom() * dpr));
    }
    m_projectProgram->setUniformValue("uHighlight", highlight);
    m_projectProgram->setUniformValue("uHasMarks", GLint(!m_mask.empty()));
    // Units 0–3: centres, covariances, SH, colours; 4: the mask (buffer 5).
    const char* samplers[] = {"uCentres", "uCovariances", "uSh", "uColours", "uMarks"};
    const std::size_t textures[] = {0, 1, 2, 3, 5};
    for (int unit = 0; unit < 5; ++unit) {
        m_projectProgram->setUniformValue(samplers[unit], unit);
        gl.glActiveTexture(GLenum(GL_TEXTURE0 + unit));
        gl.glBindTexture(GL_TEXTURE_BUFFER, m_textures[textures[unit]]);
    }
    // One point per splat in index order; nothing reaches the rasterizer.
    gl.glEnable(GL_RASTERIZER_DISCARD);
    gl.glBindBufferBase(GL_TRANSFORM_FEEDBACK_BUFFER, 0, m_buffers[4]);
    gl.glBindVertexArray(m_pointVao);
    gl.glBeginTransformFeedback(GL_POINTS);
    gl.glDrawArrays(GL_POINTS, 0, GLsizei(m_splats.size()));
    gl.glEndTransformFeedback();
    gl.glBindVertexArray(0);
    gl.glBindBufferBase(GL_TRANSFORM_FEEDBACK_BUFFER, 0, 0);
    gl.glDisable(GL_RASTERIZER_DISCARD);
    for (int unit = 4; unit >= 0; --unit) {
        gl.glActiveTexture(GLenum(GL_TEXTURE0 + unit));
        gl.glBindTexture(GL_TEXTURE_BUFFER, 0);
    }
    m_projectProgram->release();
}

// --- panel --------------------------------------------------------------------

void SplatLayer::drawImGui() {
    ImGuiBridge& ui = host()->imgui();
    if (!m_selection.isNull()) {
        // The selection box's outline, under the panels.
        ImGui::GetBackgroundDrawList()->AddRect(
            ImVec2(float(m_selection.left()), float(m_selection.top())),
            ImVec2(float(m_selection.right()), float(m_selection.bottom())),
            IM_COL32(255, 200, 40, 255), 0.0f, 0, 1.5f);
    }
    ImGui::SetNextWindowPos(ImVec2(10, 10), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSizeConstraints(ImVec2(260, 0), ImVec2(260, 10000));
    if (m_collapsePanel >= 0) {
        ImGui::SetNextWindowCollapsed(m_collapsePanel == 1, ImGuiCond_Always);
        m_collapsePanel = -1;
    }
    const bool open = ImGui::Begin("Splats", nullptr, ImGuiWindowFlags_AlwaysAutoResize);
    ui.recordWindow(QStringLiteral("Splats"));
    if (!open) {
        ImGui::End();
        return;
    }
    ImGui::PushItemWidth(140);
    int degree = m_shDegree;
    if (ImGui::SliderInt("SH degree", &degree, 0, 3)) setShDegree(degree);
    ui.recordLastItem(QStringLiteral("Splats/SH degree"));

    int display = int(m_display);
    if (ImGui::Combo("Display", &display, kDisplayNames, 4)) setDisplay(SplatDisplay(display));
    ui.recordLastItem(QStringLiteral("Splats/Display"));

    if (m_display == SplatDisplay::Quantity) {
        if (ImGui::BeginCombo("Value", m_quantity.c_str())) {
            for (const std::string& name : splatValueNames(m_quantities)) {
                if (ImGui::Selectable(name.c_str(), name == m_quantity)) setQuantity(name);
                ui.recordLastItem(QStringLiteral("Splats/Value/") + QString::fromStdString(name));
            }
            ImGui::EndCombo();
        }
        ui.recordLastItem(QStringLiteral("Splats/Value"));
        if (ImGui::BeginCombo("Colormap", colormapName(m_colormap))) {
            for (const Colormap map : kColormaps)
                if (ImGui::Selectable(colormapName(map), map == m_colormap)) setColormap(map);
            ImGui::EndCombo();
        }
        ui.recordLastItem(QStringLiteral("Splats/Colormap"));
    }
    ImGui::PopItemWidth();

    if (ImGui::Button("Frame (F)")) frameCloud();
    ui.recordLastItem(QStringLiteral("Splats/Frame"));

    ImGui::Separator();
    ImGui::Text("%zu splats, SH degree %d", m_splats.size(), m_splats.shDegree);
    ImGui::Text("%.1f fps  (frame %.1f ms CPU)", m_fps, host()->lastFrameMs());
    ImGui::Text("sort %.1f ms%s", m_sorter.lastSortMs(), m_sorter.busy() ? " (sorting)" : "");
    ui.recordLastItem(QStringLiteral("Splats/Readout"));
    if (!m_selection.isNull()) {
        ImGui::Separator();
        ImGui::Text("selected %zu splats", m_selectionCount.total);
        for (const auto& [part, count] : m_selectionCount.perPart)
            ImGui::Text("  part %d: %zu", part, count);
        ui.recordLastItem(QStringLiteral("Splats/Selection"));
        if (ImGui::SmallButton("Clear selection")) setSelection(QRectF());
    } else {
        ImGui::TextDisabled("drag: orbit, right drag: pan");
        ImGui::TextDisabled("wheel: zoom, shift drag: select");
        ImGui::TextDisabled("WASD QE: fly, F: frame");
    }
    ImGui::End();
}

// --- input --------------------------------------------------------------------

bool SplatLayer::mousePress(QMouseEvent* e) {
    if (m_drag != Drag::None) return true;
    if (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ShiftModifier)) {
        m_drag = Drag::Select;
    } else if (e->button() == Qt::LeftButton) {
        m_drag = Drag::Orbit;
    } else if (e->button() == Qt::RightButton || e->button() == Qt::MiddleButton) {
        m_drag = Drag::Pan;
    } else {
        return false;
    }
    m_dragStart = m_dragLast = e->position();
    return true;
}

bool SplatLayer::mouseMove(QMouseEvent* e) {
    const QPointF delta = e->position() - m_dragLast;
    m_dragLast = e->position();
    switch (m_drag) {
        case Drag::Orbit: {
            OrbitCamera orbit = m_orbit;
            orbit.orbit(float(delta.x()), float(delta.y()));
            setOrbit(orbit);
            break;
        }
        case Drag::Pan: {
            OrbitCamera orbit = m_orbit;
            const float height = host() ? float(host()->viewSize().height()) : 480.0f;
            orbit.pan(float(delta.x()), float(delta.y()), height);
            setOrbit(orbit);
            break;
        }
        case Drag::Select:
            setSelection(QRectF(m_dragStart, e->position()));
            break;
        case Drag::None:
            return false;
    }
    return true;
}

bool SplatLayer::mouseRelease(QMouseEvent* e) {
    if (m_drag == Drag::None) return false;
    if (e->buttons() != Qt::NoButton) return true;
    if (m_drag == Drag::Select) {
        const QRectF box = QRectF(m_dragStart, e->position()).normalized();
        // A click without a drag clears the selection.
        setSelection(box.width() < 2 && box.height() < 2 ? QRectF() : box);
    }
    m_drag = Drag::None;
    return true;
}

bool SplatLayer::wheel(QWheelEvent* e) {
    const double notches = e->angleDelta().y() / 120.0;
    if (notches == 0) return false;
    OrbitCamera orbit = m_orbit;
    orbit.zoom(float(notches));
    setOrbit(orbit);
    return true;
}

bool SplatLayer::keyPress(QKeyEvent* e) {
    if (e->key() == Qt::Key_F) {
        frameCloud();
        return true;
    }
    float forward = 0, right = 0, up = 0;
    switch (e->key()) {
        case Qt::Key_W:
            forward = 1;
            break;
        case Qt::Key_S:
            forward = -1;
            break;
        case Qt::Key_D:
            right = 1;
            break;
        case Qt::Key_A:
            right = -1;
            break;
        case Qt::Key_E:
            up = 1;
            break;
        case Qt::Key_Q:
            up = -1;
            break;
        default:
            return false;
    }
    OrbitCamera orbit = m_orbit;
    const float step = 0.05f * orbit.distance;
    orbit.fly(step * forward, step * right, step * up);
    setOrbit(orbit);
    return true;
}

}  // namespace basin::widgets
