#pragma once
// Basin's own bridge from Qt input to a Dear ImGui context, plus ImGui's
// OpenGL 3 renderer, for a QOpenGLWidget that draws an in-view overlay.
//
// Why not an off-the-shelf backend: ImGui ships none for Qt, and Debian's
// ImGui is 1.86, which predates the input event queue of 1.87
// (io.AddMousePosEvent & co.). In 1.86 the platform writes io.MousePos,
// io.MouseDown[] and io.KeysDown[] directly, once per frame; a click whose
// press and release both arrive before the next frame (QTest::mouseClick, a
// fast tap on a loaded machine) would then never be seen as pressed. The
// bridge therefore queues every event and "trickles" the queue into ImGui the
// way 1.87 does: at most one change per mouse button and per key per frame, and
// no mouse move after a button change in the same frame (so a click lands where
// it was pressed). hasPendingInput() tells the host to draw another frame.
//
// How to use (all calls on the GUI thread):
//   - one bridge per view; it owns its ImGuiContext and makes it current around
//     every use, restoring whatever context was current before;
//   - initializeRenderer() in initializeGL(), shutdownRenderer() before the GL
//     context goes away (both with the view's context current);
//   - queue*() from the widget's event handlers;
//   - per paintGL(): beginFrame(), ImGui calls (inside a ContextScope),
//     endFrameAndRender();
//   - route input: give a mouse press/wheel to the view only when
//     !isOverUi(pos), keys only when !wantCaptureKeyboard().

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <Qt>
#include <deque>

struct ImGuiContext;

namespace basin::widgets {

class ImGuiBridge {
public:
    ImGuiBridge();
    ~ImGuiBridge();
    ImGuiBridge(const ImGuiBridge&) = delete;
    ImGuiBridge& operator=(const ImGuiBridge&) = delete;

    // Makes this bridge's ImGui context current for its lifetime and restores
    // the previous one afterwards. ImGui's current context is a process-wide
    // global, so two views must never draw with each other's.
    class ContextScope {
    public:
        explicit ContextScope(const ImGuiBridge& bridge);
        ~ContextScope();
        ContextScope(const ContextScope&) = delete;
        ContextScope& operator=(const ContextScope&) = delete;

    private:
        ImGuiContext* m_previous;
    };

    // Creates ImGui's GL objects (shaders, font texture) in the current GL
    // context ("#version 330 core"). Returns false and sets errorString() when
    // ImGui's GL loader or its shaders fail.
    bool initializeRenderer();
    // Deletes ImGui's GL objects; the same GL context must be current.
    void shutdownRenderer();
    bool rendererInitialized() const { return m_rendererReady; }
    QString errorString() const { return m_error; }

    // --- input, in widget (logical pixel) coordinates -------------------------
    void queueMouseMove(QPointF pos, Qt::KeyboardModifiers mods);
    void queueMouseButton(QPointF pos, Qt::MouseButton button, bool down,
                          Qt::KeyboardModifiers mods);
    // Wheel in "notches" (Qt's angleDelta / 120), vertical and horizontal.
    void queueMouseWheel(QPointF pos, float vertical, float horizontal, Qt::KeyboardModifiers mods);
    void queueMouseLeave();
    // A key press or release (Qt::Key). Keys ImGui knows no name for are
    // ignored; text is delivered through queueText().
    void queueKey(int qtKey, bool down, Qt::KeyboardModifiers mods);
    void queueText(const QString& text);
    void queueFocus(bool focused);
    bool hasPendingInput() const { return !m_queue.empty(); }

    // True when `pos` is over an ImGui window, or a popup is open (a click
    // anywhere then belongs to ImGui: it closes the popup). Evaluated at the
    // event's own position: io.WantCaptureMouse describes the last frame's
    // mouse position, which is stale for a press that arrives before a frame
    // has seen the pointer move there.
    bool isOverUi(QPointF pos) const;
    bool wantCaptureMouse() const;
    bool wantCaptureKeyboard() const;
    // The cursor ImGui asks for when it owns the pointer (text field, resize).
    Qt::CursorShape cursorShape() const;

    // --- frame ---------------------------------------------------------------
    // Applies queued input, sets display size / framebuffer scale / delta time
    // and starts an ImGui frame. `logicalSize` in widget pixels, `dpr` the
    // widget's device pixel ratio (HiDPI).
    void beginFrame(QSizeF logicalSize, qreal dpr);
    // Ends the ImGui frame and draws it into the currently bound framebuffer.
    void endFrameAndRender();
    bool inFrame() const { return m_inFrame; }

    // --- item rectangles (for tests and tours) -------------------------------
    // Records ImGui's last item (ImGui::GetItemRectMin/Max) under `name`; call
    // right after the item inside a frame. Window rectangles: recordWindow()
    // between Begin and End. Looked up after the frame, in widget pixels.
    void recordLastItem(const QString& name);
    void recordWindow(const QString& name);
    QRectF itemRect(const QString& name) const { return m_rects.value(name); }

private:
    struct InputEvent {
        enum class Type { MousePos, MouseButton, MouseWheel, Key, Char, Focus };
        Type type = Type::MousePos;
        float x = 0, y = 0;  // position, or wheel (vertical, horizontal)
        int index = 0;       // mouse button or key index into io.KeysDown
        bool down = false;   // button/key state, or focus gained
        unsigned codepoint = 0;
        Qt::KeyboardModifiers mods;
    };
    void applyQueuedInput();

    ImGuiContext* m_context = nullptr;
    std::deque<InputEvent> m_queue;
    QElapsedTimer m_clock;
    QHash<QString, QRectF> m_rects, m_rectsBuilding;
    QByteArray m_clipboard;  // keeps the text ImGui reads from the clipboard alive
    QString m_error;
    bool m_rendererReady = false;
    bool m_inFrame = false;
};

}  // namespace basin::widgets
