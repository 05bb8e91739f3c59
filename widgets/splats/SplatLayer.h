#pragma once
// The interactive Gaussian-splat renderer: a GlLayer that draws RenderSplats
// as the CPU reference rasterizer (core/splats/SplatRasterizer.h) does, with
// its "Splats" ImGui panel and an orbit camera.
//
// Rendering: per-splat data goes to the GPU once, as texture buffers (centre
// and opacity, the covariance's 6 entries, the SH coefficients packed 4 floats
// a texel). Each frame, a first pass (shaders/splat_project.vert, one point
// per splat, captured by transform feedback) projects each covariance with the
// perspective Jacobian (J W Σ Wᵀ Jᵀ + 0.3), sizes its square to 3σ and
// evaluates the SH colour in the viewing direction (degree 0–3, chosen in the
// panel); the second draws instanced quads (shaders/splat.vert) whose instance
// attribute is the splat index from the sorted index buffer, so the per-splat
// work is done once rather than at each of the 4 corners. shaders/splat.frag
// computes
// α = min(0.99, opacity·exp(−½ dᵀΣ'⁻¹d)), drops α < 1/255 and blends
// premultiplied colour back to front — the same sum as the reference's front
// to back compositing. The order comes from SplatSorter (worker thread,
// re-sorted only when the view moved enough) and is uploaded when it
// finishes; until then the previous order is drawn.
//
// Displays: colour (SH), a per-splat value through a colormap (opacity,
// scale, any SplatQuantity such as the part label), ellipsoids (opaque 2σ
// ellipses) and points, for debugging.
//
// Input: left drag orbits, right (or middle) drag pans, the wheel zooms,
// W/A/S/D/Q/E fly (OrbitCamera::fly), F frames the cloud; shift + left drag draws a selection box
// whose splats are counted (per part when a part label exists) and highlighted.

#include <QElapsedTimer>
#include <QObject>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gl/GlLayer.h"
#include "splats/GaussianCloud.h"
#include "splats/OrbitCamera.h"
#include "splats/RenderSplats.h"
#include "splats/SplatCamera.h"
#include "splats/SplatSelection.h"
#include "splats/SplatSorter.h"
#include "util/Colormap.h"

class QOpenGLShaderProgram;

namespace basin::widgets {

enum class SplatDisplay { Colour, Quantity, Ellipsoids, Points };

class SplatLayer : public QObject, public GlLayer {
    Q_OBJECT
public:
    explicit SplatLayer(QObject* parent = nullptr);
    ~SplatLayer() override;

    // The splats to draw (validated: a mismatch is reported in errorString())
    // and their extra per-splat values. Frames the camera on the new cloud
    // when `frame` is true.
    void setSplats(RenderSplats splats, std::vector<SplatQuantity> quantities = {},
                   bool frame = true);
    // RenderSplats::fromCloud(cloud) with the cloud's quantities.
    void setCloud(const GaussianCloud& cloud, bool frame = true);
    const RenderSplats& splats() const { return m_splats; }
    const std::vector<SplatQuantity>& quantities() const { return m_quantities; }

    // --- camera --------------------------------------------------------------
    const OrbitCamera& orbit() const { return m_orbit; }
    void setOrbit(const OrbitCamera& orbit);
    // The camera of the next frame, in framebuffer pixels.
    SplatCamera camera() const;
    // Target and distance so the cloud fills the view (key F).
    void frameCloud();

    // --- display -------------------------------------------------------------
    // The highest SH degree evaluated (0–3; the splats' own if lower).
    void setShDegree(int degree);
    int shDegree() const { return m_shDegree; }
    void setDisplay(SplatDisplay display);
    SplatDisplay display() const { return m_display; }
    // The value the quantity display colours by (splatValueNames), and the map.
    void setQuantity(const std::string& name);
    const std::string& quantity() const { return m_quantity; }
    void setColormap(Colormap map);
    Colormap colormap() const { return m_colormap; }
    void setBackground(const std::array<float, 3>& rgb);
    // Collapses (or opens) the Splats panel at the next frame, e.g. to leave
    // room for another panel; the user can open it again.
    void setPanelCollapsed(bool collapsed);
    const std::array<float, 3>& background() const { return m_background; }
    float pointRadius() const { return m_pointRadius; }

    // --- selection -----------------------------------------------------------
    // A box in widget pixels (null: none); counts the splats inside.
    void setSelection(const QRectF& box);
    QRectF selection() const { return m_selection; }
    const SplatSelectionCount& selectionCount() const { return m_selectionCount; }

    // Splats to highlight (non-zero), one entry per splat — a histogram
    // brush, say; drawn like the selection box's splats. Empty: none. A mask
    // of another length than the splats' is dropped (and so is the mask when
    // new splats of another count arrive).
    void setHighlightMask(std::vector<std::uint8_t> mask);
    const std::vector<std::uint8_t>& highlightMask() const { return m_mask; }

    // --- sorting ---------------------------------------------------------------
    // Waits until the worker has sorted for the current view, at most
    // `timeoutMs`; the next frame then draws in that order. True when sorted.
    bool waitForSort(int timeoutMs = 10000);
    double lastSortMs() const { return m_sorter.lastSortMs(); }
    // How many sorts have been uploaded.
    int sortsUploaded() const { return m_sortsUploaded; }

    // Frames per second over the recent frames (0 before two frames).
    double framesPerSecond() const { return m_fps; }

    // The shader files, ":/shaders/splat_project.vert", ":/shaders/splat.vert"
    // and ".frag" by default; takes effect at the next initialize().
    void setShaderPaths(const QString& projection, const QString& vertex, const QString& fragment);

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
    bool keyPress(QKeyEvent* e) override;

Q_SIGNALS:
    void cameraChanged();
    void selectionChanged();

private:
    enum class Drag { None, Orbit, Pan, Select };
    QSize framebufferSize() const;
    void changed();
    void uploadSplats(QOpenGLExtraFunctions& gl);
    void uploadColours(QOpenGLExtraFunctions& gl);
    void uploadMask(QOpenGLExtraFunctions& gl);
    void project(QOpenGLExtraFunctions& gl, const SplatCamera& camera, const GlFrame& frame);
    void updateSelectionCount();

    RenderSplats m_splats;
    std::vector<SplatQuantity> m_quantities;
    std::shared_ptr<const std::vector<float>> m_centres;
    QString m_dataError, m_shaderError;

    OrbitCamera m_orbit;
    int m_shDegree = 3;
    int m_collapsePanel = -1;  // -1: leave the panel as it is; 0/1: open/collapse it once
    SplatDisplay m_display = SplatDisplay::Colour;
    std::string m_quantity = "opacity";
    Colormap m_colormap = Colormap::Viridis;
    std::array<float, 3> m_background{0.0f, 0.0f, 0.0f};
    float m_pointRadius = 1.5f;

    std::vector<std::uint8_t> m_mask;
    QRectF m_selection;
    SplatSelectionCount m_selectionCount;
    Drag m_drag = Drag::None;
    QPointF m_dragStart, m_dragLast;

    SplatSorter m_sorter;
    std::vector<std::uint32_t> m_order;
    int m_sortsUploaded = 0;

    QElapsedTimer m_frameClock;
    double m_fps = 0;

    QString m_projectionPath, m_vertexPath, m_fragmentPath;
    std::unique_ptr<QOpenGLShaderProgram> m_projectProgram, m_program;
    unsigned m_vao = 0, m_pointVao = 0, m_indexBuffer = 0;
    // centres, covariances, SH, colours, this frame's projection, highlight mask
    std::array<unsigned, 6> m_buffers{};
    std::array<unsigned, 6> m_textures{};  // their buffer textures
    int m_shStride = 1;                    // texels of SH per splat
    bool m_splatsDirty = true, m_coloursDirty = true, m_maskDirty = true;
};

}  // namespace basin::widgets
