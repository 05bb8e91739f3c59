#pragma once
// Process-wide set-up that must happen before QApplication is constructed, so
// that every Basin GUI — the application, `basin screenshot`, the GUI tests —
// gets the same platform: X11 (xcb) with GLX, because Debian's VTK loads GL
// through GLEW/GLX and fails on an EGL context; an OpenGL 3.3 core default
// format without multisampling (5x slower on llvmpipe); shared contexts so GL
// views survive moving between docks and windows.

#include <QString>

namespace basin::widgets {

// Sets the Qt platform environment and the default surface format. Call first
// thing in main(), before QApplication.
void prepareGuiEnvironment();

// True when $DISPLAY names an X display that can be opened.
bool displayAvailable();

// Makes sure an X display is reachable. When $DISPLAY is unset or cannot be
// opened, starts a private Xvfb server (picked with -displayfd, so parallel
// tests never collide), points $DISPLAY at it, and stops it when this process
// exits. Returns false with a sentence in `error` when no display can be had.
bool ensureDisplay(QString* error);

}  // namespace basin::widgets
