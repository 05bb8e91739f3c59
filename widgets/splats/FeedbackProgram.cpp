#include "splats/FeedbackProgram.h"

#include <QFile>
#include <QOpenGLExtraFunctions>
#include <QOpenGLShaderProgram>
#include <vector>

namespace basin::widgets {

std::unique_ptr<QOpenGLShaderProgram> buildFeedbackProgram(QOpenGLExtraFunctions& gl,
                                                           const QString& vertexPath,
                                                           const QStringList& varyings,
                                                           QString* error) {
    QFile file(vertexPath);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral(
                         "shader '%1' cannot be read (%2); shaders are compiled into the binary "
                         "from shaders/ by qt_add_resources in widgets/gl/CMakeLists.txt")
                         .arg(vertexPath, file.errorString());
        return nullptr;
    }
    auto program = std::make_unique<QOpenGLShaderProgram>();
    if (!program->addShaderFromSourceCode(QOpenGLShader::Vertex, file.readAll())) {
        if (error)
            *error = QStringLiteral("shader '%1' does not compile: %2")
                         .arg(vertexPath, program->log().trimmed());
        return nullptr;
    }
    // The program object exists once a shader is added; feedback varyings
    // must be declared before linking.
    std::vector<QByteArray> names;
    std::vector<const char*> pointers;
    for (const QString& v : varyings)
        names.push_back(v.toLatin1());
    for (const QByteArray& n : names)
        pointers.push_back(n.constData());
    gl.glTransformFeedbackVaryings(program->programId(), GLsizei(pointers.size()), pointers.data(),
                                   GL_INTERLEAVED_ATTRIBS);
    if (!program->link()) {
        if (error)
            *error = QStringLiteral("shader '%1' does not link for transform feedback: %2")
                         .arg(vertexPath, program->log().trimmed());
        return nullptr;
    }
    if (error) error->clear();
    return program;
}

}  // namespace basin::widgets
