#include "gl/ImGuiBridge.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QtDebug>
#include <algorithm>
#include <bitset>
#include <cfloat>

#include "backends/imgui_impl_opengl3.h"
#include "imgui.h"
#include "imgui_internal.h"

namespace basin::widgets {
namespace {

// Key indices into io.KeysDown[]: the ImGuiKey_ enumerators themselves, so
// io.KeyMap is the identity. 1.86 knows only these named keys; everything
// else a text field needs arrives as characters.
int imguiKeyIndex(int qtKey) {
    switch (qtKey) {
        case Qt::Key_Tab:
        case Qt::Key_Backtab:
            return ImGuiKey_Tab;
        case Qt::Key_Left:
            return ImGuiKey_LeftArrow;
        case Qt::Key_Right:
            return ImGuiKey_RightArrow;
        case Qt::Key_Up:
            return ImGuiKey_UpArrow;
        case Qt::Key_Down:
            return ImGuiKey_DownArrow;
        case Qt::Key_PageUp:
            return ImGuiKey_PageUp;
        case Qt::Key_PageDown:
            return ImGuiKey_PageDown;
        case Qt::Key_Home:
            return ImGuiKey_Home;
        case Qt::Key_End:
            return ImGuiKey_End;
        case Qt::Key_Insert:
            return ImGuiKey_Insert;
        case Qt::Key_Delete:
            return ImGuiKey_Delete;
        case Qt::Key_Backspace:
            return ImGuiKey_Backspace;
        case Qt::Key_Space:
            return ImGuiKey_Space;
        case Qt::Key_Return:
            return ImGuiKey_Enter;
        case Qt::Key_Enter:
            return ImGuiKey_KeyPadEnter;
        case Qt::Key_Escape:
            return ImGuiKey_Escape;
        case Qt::Key_A:
            return ImGuiKey_A;
        case Qt::Key_C:
            return ImGuiKey_C;
        case Qt::Key_V:
            return ImGuiKey_V;
        case Qt::Key_X:
            return ImGuiKey_X;
        case Qt::Key_Y:
            return ImGuiKey_Y;
        case Qt::Key_Z:
            return ImGuiKey_Z;
        default:
            return -1;
    }
}

int imguiMouseButton(Qt::MouseButton button) {
    switch (button) {
        case Qt::LeftButton:
            return ImGuiMouseButton_Left;
        case Qt::RightButton:
            return ImGuiMouseButton_Right;
        case Qt::MiddleButton:
            return ImGuiMouseButton_Middle;
        case Qt::BackButton:
            return 3;
        case Qt::ForwardButton:
            return 4;
        default:
            return -1;
    }
}

void applyModifiers(ImGuiIO& io, Qt::KeyboardModifiers mods) {
    io.KeyCtrl = mods.testFlag(Qt::ControlModifier);
    io.KeyShift = mods.testFlag(Qt::ShiftModifier);
    io.KeyAlt = mods.testFlag(Qt::AltModifier);
    io.KeySuper = mods.testFlag(Qt::MetaModifier);
}

const char* clipboardText(void* userData) {
    auto* storage = static_cast<QByteArray*>(userData);
    *storage = QGuiApplication::clipboard()->text().toUtf8();
    return storage->constData();
}

void setClipboardText(void*, const char* text) {
    QGuiApplication::clipboard()->setText(QString::fromUtf8(text));
}

}  // namespace

ImGuiBridge::ContextScope::ContextScope(const ImGuiBridge& bridge)
    : m_previous(ImGui::GetCurrentContext()) {
    ImGui::SetCurrentContext(bridge.m_context);
}

ImGuiBridge::ContextScope::~ContextScope() {
    ImGui::SetCurrentContext(m_previous);
}

ImGuiBridge::ImGuiBridge() {
    ImGuiContext* previous = ImGui::GetCurrentContext();
    m_context = ImGui::CreateContext();
    ImGui::SetCurrentContext(m_context);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // no imgui.ini in the user's working directory
    io.LogFilename = nullptr;
    io.BackendPlatformName = "basin_qt";
    // Only the title bar moves a panel: a drag that starts on a panel's body
    // near the map must not drag the panel around instead.
    io.ConfigWindowsMoveFromTitleBarOnly = true;
    for (int k = 0; k < ImGuiKey_COUNT; ++k)
        io.KeyMap[k] = k;
    io.GetClipboardTextFn = clipboardText;
    io.SetClipboardTextFn = setClipboardText;
    io.ClipboardUserData = &m_clipboard;
    ImGui::StyleColorsDark();
    ImGuiStyle& style = ImGui::GetStyle();
    style.WindowRounding = 4;
    style.FrameRounding = 3;
    style.Colors[ImGuiCol_WindowBg].w = 0.88f;
    ImGui::SetCurrentContext(previous);
}

ImGuiBridge::~ImGuiBridge() {
    if (m_rendererReady) {
        // The host must call shutdownRenderer() while its GL context lives;
        // without a context the GL objects can only be leaked.
        qWarning("ImGuiBridge destroyed with its renderer still initialized; GL objects leak");
        ContextScope scope(*this);
        ImGuiIO& io = ImGui::GetIO();
        io.BackendRendererUserData = nullptr;
        io.BackendRendererName = nullptr;
    }
    ImGuiContext* previous = ImGui::GetCurrentContext();
    ImGui::DestroyContext(m_context);
    if (previous != m_context) ImGui::SetCurrentContext(previous);
}

bool ImGuiBridge::initializeRenderer() {
    if (m_rendererReady) return true;
    ContextScope scope(*this);
    if (!ImGui_ImplOpenGL3_Init("#version 330 core")) {
        m_error = QStringLiteral(
            "Dear ImGui's OpenGL 3 renderer could not load OpenGL (libGL.so.1 through GLX)");
        return false;
    }
    m_error.clear();
    m_rendererReady = true;
    return true;
}

void ImGuiBridge::shutdownRenderer() {
    if (!m_rendererReady) return;
    ContextScope scope(*this);
    ImGui_ImplOpenGL3_Shutdown();
    m_rendererReady = false;
}

void ImGuiBridge::queueMouseMove(QPointF pos, Qt::KeyboardModifiers mods) {
    InputEvent e;
    e.type = InputEvent::Type::MousePos;
    e.x = float(pos.x());
    e.y = float(pos.y());
    e.mods = mods;
    m_queue.push_back(e);
}

void ImGuiBridge::queueMouseButton(QPointF pos, Qt::MouseButton button, bool down,
                                   Qt::KeyboardModifiers mods) {
    const int index = imguiMouseButton(button);
    if (index < 0) return;
    queueMouseMove(pos, mods);
    InputEvent e;
    e.type = InputEvent::Type::MouseButton;
    e.index = index;
    e.down = down;
    e.mods = mods;
    m_queue.push_back(e);
}

void ImGuiBridge::queueMouseWheel(QPointF pos, float vertical, float horizontal,
                                  Qt::KeyboardModifiers mods) {
    queueMouseMove(pos, mods);
    InputEvent e;
    e.type = InputEvent::Type::MouseWheel;
    e.x = vertical;
    e.y = horizontal;
    e.mods = mods;
    m_queue.push_back(e);
}

void ImGuiBridge::queueMouseLeave() {
    InputEvent e;
    e.type = InputEvent::Type::MousePos;
    e.x = e.y = -FLT_MAX;  // ImGui's "no mouse"
    m_queue.push_back(e);
}

void ImGuiBridge::queueKey(int qtKey, bool down, Qt::KeyboardModifiers mods) {
    InputEvent e;
    e.type = InputEvent::Type::Key;
    e.index = imguiKeyIndex(qtKey);
    e.down = down;
    e.mods = mods;
    // Unnamed keys still carry modifier changes (Ctrl pressed alone).
    m_queue.push_back(e);
}

void ImGuiBridge::queueText(const QString& text) {
    for (const char32_t c : text.toUcs4()) {
        if (c < 0x20 || c == 0x7f) continue;  // control characters come as keys
        InputEvent e;
        e.type = InputEvent::Type::Char;
        e.codepoint = c;
        m_queue.push_back(e);
    }
}

void ImGuiBridge::queueFocus(bool focused) {
    InputEvent e;
    e.type = InputEvent::Type::Focus;
    e.down = focused;
    m_queue.push_back(e);
}

// The 1.87 "input trickling" rule on 1.86's plain io fields: stop before the
// second change of any button or key within one frame, and before a mouse move
// that follows a button change, so every transition is visible for a frame.
void ImGuiBridge::applyQueuedInput() {
    ImGuiIO& io = ImGui::GetIO();
    std::bitset<ImGuiMouseButton_COUNT> buttonChanged;
    std::bitset<ImGuiKey_COUNT> keyChanged;
    bool textTyped = false;
    while (!m_queue.empty()) {
        const InputEvent& e = m_queue.front();
        bool stop = false;
        switch (e.type) {
            case InputEvent::Type::MousePos:
                if (buttonChanged.any()) {
                    stop = true;
                    break;
                }
                io.MousePos = ImVec2(e.x, e.y);
                if (e.x > -FLT_MAX) applyModifiers(io, e.mods);
                break;
            case InputEvent::Type::MouseButton:
                if (buttonChanged[size_t(e.index)]) {
                    stop = true;
                    break;
                }
                io.MouseDown[e.index] = e.down;
                buttonChanged[size_t(e.index)] = true;
                applyModifiers(io, e.mods);
                break;
            case InputEvent::Type::MouseWheel:
                io.MouseWheel += e.x;
                io.MouseWheelH += e.y;
                applyModifiers(io, e.mods);
                break;
            case InputEvent::Type::Key:
                if (e.index >= 0 && (keyChanged[size_t(e.index)] || textTyped)) {
                    stop = true;
                    break;
                }
                if (e.index >= 0) {
                    io.KeysDown[e.index] = e.down;
                    keyChanged[size_t(e.index)] = true;
                }
                applyModifiers(io, e.mods);
                break;
            case InputEvent::Type::Char:
                io.AddInputCharacter(e.codepoint);
                textTyped = true;
                break;
            case InputEvent::Type::Focus:
                io.AddFocusEvent(e.down);
                break;
        }
        if (stop) break;
        m_queue.pop_front();
    }
}

bool ImGuiBridge::isOverUi(QPointF pos) const {
    ContextScope scope(*this);
    const ImGuiContext& g = *m_context;
    if (g.OpenPopupStack.Size > 0) return true;
    const ImVec2 p(float(pos.x()), float(pos.y()));
    for (const ImGuiWindow* w : g.Windows) {
        if (!w->Active || w->Hidden || (w->Flags & ImGuiWindowFlags_NoMouseInputs)) continue;
        if (w->OuterRectClipped.Contains(p)) return true;
    }
    return false;
}

bool ImGuiBridge::wantCaptureMouse() const {
    ContextScope scope(*this);
    return ImGui::GetIO().WantCaptureMouse;
}

bool ImGuiBridge::wantCaptureKeyboard() const {
    ContextScope scope(*this);
    return ImGui::GetIO().WantCaptureKeyboard;
}

Qt::CursorShape ImGuiBridge::cursorShape() const {
    ContextScope scope(*this);
    switch (ImGui::GetMouseCursor()) {
        case ImGuiMouseCursor_TextInput:
            return Qt::IBeamCursor;
        case ImGuiMouseCursor_ResizeAll:
            return Qt::SizeAllCursor;
        case ImGuiMouseCursor_ResizeNS:
            return Qt::SizeVerCursor;
        case ImGuiMouseCursor_ResizeEW:
            return Qt::SizeHorCursor;
        case ImGuiMouseCursor_ResizeNESW:
            return Qt::SizeBDiagCursor;
        case ImGuiMouseCursor_ResizeNWSE:
            return Qt::SizeFDiagCursor;
        case ImGuiMouseCursor_Hand:
            return Qt::PointingHandCursor;
        case ImGuiMouseCursor_NotAllowed:
            return Qt::ForbiddenCursor;
        default:
            return Qt::ArrowCursor;
    }
}

void ImGuiBridge::beginFrame(QSizeF logicalSize, qreal dpr) {
    ContextScope scope(*this);
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(float(std::max(0.0, logicalSize.width())),
                            float(std::max(0.0, logicalSize.height())));
    io.DisplayFramebufferScale = ImVec2(float(dpr), float(dpr));
    // ImGui asserts DeltaTime > 0; the first frame gets a nominal 60 Hz step.
    const qint64 ns = m_clock.isValid() ? m_clock.nsecsElapsed() : 0;
    m_clock.start();
    io.DeltaTime = ns > 0 ? std::max(float(double(ns) * 1e-9), 1e-4f) : 1.0f / 60.0f;
    applyQueuedInput();
    if (m_rendererReady) {
        ImGui_ImplOpenGL3_NewFrame();  // creates the font texture on first use
    } else if (!io.Fonts->IsBuilt()) {
        io.Fonts->Build();  // ImGui still runs (and records rects) without a renderer
    }
    ImGui::NewFrame();
    m_rectsBuilding.clear();
    m_inFrame = true;
}

void ImGuiBridge::endFrameAndRender() {
    if (!m_inFrame) return;
    ContextScope scope(*this);
    ImGui::Render();
    m_inFrame = false;
    m_rects.swap(m_rectsBuilding);
    if (m_rendererReady) ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void ImGuiBridge::recordLastItem(const QString& name) {
    ContextScope scope(*this);
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    m_rectsBuilding.insert(name, QRectF(QPointF(a.x, a.y), QPointF(b.x, b.y)));
}

void ImGuiBridge::recordWindow(const QString& name) {
    ContextScope scope(*this);
    const ImVec2 pos = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    m_rectsBuilding.insert(name, QRectF(pos.x, pos.y, size.x, size.y));
}

}  // namespace basin::widgets
