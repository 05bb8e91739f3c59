#pragma once
// A GLSL program of a vertex shader alone whose outputs are captured by
// transform feedback (interleaved, in the order named), for GPU passes that
// compute per-item data rather than pixels — SplatLayer's projection pass.

#include <QString>
#include <QStringList>
#include <memory>

class QOpenGLShaderProgram;
class QOpenGLExtraFunctions;

namespace basin::widgets {

// Compiles `vertexPath` (a Qt resource, as buildShaderProgram reads them),
// declares `varyings` for capture and links, in the current GL context. On
// failure returns null and sets `error` to a sentence naming the file.
std::unique_ptr<QOpenGLShaderProgram> buildFeedbackProgram(QOpenGLExtraFunctions& gl,
                                                           const QString& vertexPath,
                                                           const QStringList& varyings,
                                                           QString* error);

}  // namespace basin::widgets
