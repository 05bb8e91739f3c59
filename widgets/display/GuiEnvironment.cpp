#include "display/GuiEnvironment.h"

#include <QCoreApplication>
#include <QSurfaceFormat>
#include <cstdlib>
#include <cstring>
#include <string>

// Xlib defines Bool, Status, None... as macros: it must come after Qt.
#include <X11/Xlib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace basin::widgets {
namespace {

pid_t g_xvfb = -1;

void stopXvfb() {
    if (g_xvfb > 0) {
        kill(g_xvfb, SIGTERM);
        waitpid(g_xvfb, nullptr, 0);
        g_xvfb = -1;
    }
}

bool canOpen(const char* name) {
    if (!name || !*name) return false;
    Display* d = XOpenDisplay(name);
    if (!d) return false;
    XCloseDisplay(d);
    return true;
}

}  // namespace

void prepareGuiEnvironment() {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "xcb");
    if (qEnvironmentVariableIsEmpty("QT_XCB_GL_INTEGRATION")) {
        qputenv("QT_XCB_GL_INTEGRATION", "xcb_glx");
    }
    QCoreApplication::setAttribute(Qt::AA_ShareOpenGLContexts);
    QSurfaceFormat format;
    format.setRenderableType(QSurfaceFormat::OpenGL);
    format.setVersion(3, 3);
    format.setProfile(QSurfaceFormat::CoreProfile);
    format.setDepthBufferSize(24);
    format.setStencilBufferSize(8);
    format.setAlphaBufferSize(8);
    format.setSamples(0);
    QSurfaceFormat::setDefaultFormat(format);
}

bool displayAvailable() {
    return canOpen(std::getenv("DISPLAY"));
}

bool ensureDisplay(QString* error) {
    if (displayAvailable()) return true;

    int fds[2];
    if (pipe(fds) != 0) {
        if (error) *error = QStringLiteral("cannot start Xvfb: pipe() failed");
        return false;
    }
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
        if (error) *error = QStringLiteral("cannot start Xvfb: fork() failed");
        return false;
    }
    if (pid == 0) {
        // The server dies with us, even when we are killed.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);
        close(fds[0]);
        const std::string fd = std::to_string(fds[1]);
        execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", "1920x1200x24",
               "-nolisten", "tcp", "-noreset", static_cast<char*>(nullptr));
        _exit(127);
    }
    close(fds[1]);
    std::string number;
    char c;
    while (read(fds[0], &c, 1) == 1 && c != '\n')
        number.push_back(c);
    close(fds[0]);
    if (number.empty()) {
        waitpid(pid, nullptr, WNOHANG);
        if (error) {
            *error = QStringLiteral(
                "no X display: $DISPLAY is not set and Xvfb could not be started "
                "(install the Debian package xvfb, or run tools/bootstrap.sh)");
        }
        return false;
    }
    g_xvfb = pid;
    std::atexit(stopXvfb);
    const std::string display = ":" + number;
    setenv("DISPLAY", display.c_str(), 1);
    return true;
}

}  // namespace basin::widgets
