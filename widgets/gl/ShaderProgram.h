#pragma once
// GLSL programs built from files compiled into the binary as Qt resources
// (shaders/ in the source tree, ":/shaders/..." at run time), so that the
// application never depends on where it is installed.

#include <QString>
#include <memory>

class QOpenGLShaderProgram;

namespace basin::widgets {

// Compiles and links a vertex + fragment shader pair in the current GL context.
// On failure returns null and sets `error` to a sentence naming the file: a
// path missing from the resources, or the compiler's log for that file.
std::unique_ptr<QOpenGLShaderProgram> buildShaderProgram(const QString& vertexPath,
                                                         const QString& fragmentPath,
                                                         QString* error);

}  // namespace basin::widgets
