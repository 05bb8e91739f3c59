#include "gl/ShaderProgram.h"

#include <QFile>
#include <QOpenGLShaderProgram>

namespace basin::widgets {
namespace {

bool addStage(QOpenGLShaderProgram& program, QOpenGLShader::ShaderType type, const QString& path,
              QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral(
                     "shader '%1' cannot be read (%2); shaders are compiled into the binary "
                     "from shaders/ by qt_add_resources in widgets/gl/CMakeLists.txt")
                     .arg(path, file.errorString());
        return false;
    }
    const QByteArray source = file.readAll();
    if (!program.addShaderFromSourceCode(type, source)) {
        *error =
            QStringLiteral("shader '%1' does not compile: %2").arg(path, program.log().trimmed());
        return false;
    }
    return true;
}

}  // namespace

std::unique_ptr<QOpenGLShaderProgram> buildShaderProgram(const QString& vertexPath,
                                                         const QString& fragmentPath,
                                                         QString* error) {
    QString message;
    auto program = std::make_unique<QOpenGLShaderProgram>();
    if (!addStage(*program, QOpenGLShader::Vertex, vertexPath, &message) ||
        !addStage(*program, QOpenGLShader::Fragment, fragmentPath, &message)) {
        if (error) *error = message;
        return nullptr;
    }
    if (!program->link()) {
        if (error) {
            *error = QStringLiteral("shaders '%1' and '%2' do not link: %3")
                         .arg(vertexPath, fragmentPath, program->log().trimmed());
        }
        return nullptr;
    }
    if (error) error->clear();
    return program;
}

}  // namespace basin::widgets
