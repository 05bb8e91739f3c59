#include "curvature/HessianSpectrumFile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <stdexcept>

#include "util/AtomicFile.h"

namespace basin::widgets {
namespace {

constexpr qint64 kMaxFileBytes = qint64(64) << 20;

QJsonArray numbers(const std::vector<double>& v) {
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

[[noreturn]] void fail(const QString& what, const QString& sentence) {
    throw std::runtime_error((what + QStringLiteral(": ") + sentence).toStdString());
}

// A number member; absent or null (JSON's NaN) gives NaN.
double number(const QJsonObject& o, const char* key, const QString& what, const QString& where) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull()) return std::nan("");
    if (!v.isDouble())
        fail(what, QStringLiteral("'%1%2' must be a number").arg(where, QLatin1String(key)));
    return v.toDouble();
}

std::vector<double> numberArray(const QJsonValue& v, const QString& what, const QString& name) {
    if (v.isUndefined()) return {};
    if (!v.isArray()) fail(what, QStringLiteral("'%1' must be an array of numbers").arg(name));
    std::vector<double> out;
    const QJsonArray a = v.toArray();
    out.reserve(std::size_t(a.size()));
    for (const QJsonValue& x : a) {
        if (x.isNull()) {
            out.push_back(std::nan(""));
        } else if (x.isDouble()) {
            out.push_back(x.toDouble());
        } else {
            fail(what, QStringLiteral("'%1' must be an array of numbers").arg(name));
        }
    }
    return out;
}

QJsonObject objectMember(const QJsonObject& o, const char* key, const QString& what) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isObject()) fail(what, QStringLiteral("'%1' must be an object").arg(key));
    return v.toObject();
}

std::string string(const QJsonObject& o, const char* key, const QString& what,
                   const QString& where = {}) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined()) return {};
    if (!v.isString())
        fail(what, QStringLiteral("'%1%2' must be a string").arg(where, QLatin1String(key)));
    return v.toString().toStdString();
}

}  // namespace

QJsonObject hessianSpectrumToJson(const HessianSpectrum& s) {
    QJsonObject out{{"parameters", double(s.parameters)},
                    {"loss", s.loss},
                    {"products", double(s.products)},
                    {"topEigenvalues", numbers(s.topEigenvalues)},
                    {"converged", s.converged}};
    if (s.hasBottom()) out["bottomEigenvalue"] = s.bottomEigenvalue;
    if (s.hasTrace())
        out["trace"] = QJsonObject{{"mean", s.trace}, {"standardError", s.traceStandardError}};
    if (s.hasDensity()) {
        QJsonObject density{{"grid", numbers(s.densityGrid)}, {"density", numbers(s.density)}};
        if (std::isfinite(s.densitySigma)) density["sigma"] = s.densitySigma;
        out["density"] = density;
    }
    if (!s.layers.empty()) {
        QJsonArray layers;
        for (const HessianSpectrum::Layer& l : s.layers) {
            layers.append(QJsonObject{{"name", QString::fromStdString(l.name)},
                                      {"parameters", double(l.parameters)},
                                      {"topEigenvalue", l.topEigenvalue},
                                      {"trace", l.trace},
                                      {"traceStandardError", l.traceStandardError}});
        }
        out["layers"] = layers;
    }
    for (const auto& [key, value] :
         {std::pair{"model", &s.model}, std::pair{"checkpoint", &s.checkpoint},
          std::pair{"dataset", &s.dataset}}) {
        if (!value->empty()) out[QLatin1String(key)] = QString::fromStdString(*value);
    }
    return out;
}

HessianSpectrum hessianSpectrumFromJson(const QJsonObject& o, const QString& what) {
    if (!o.contains(QLatin1String("topEigenvalues")) && !o.contains(QLatin1String("density")) &&
        !o.contains(QLatin1String("trace")))
        fail(what, QStringLiteral("not a Hessian spectrum (no topEigenvalues, trace or density); "
                                  "write one with `basin hessian --json`"));
    HessianSpectrum s;
    s.parameters = std::int64_t(number(o, "parameters", what, {}));
    s.loss = number(o, "loss", what, {});
    const double products = number(o, "products", what, {});
    s.products = std::isfinite(products) ? std::int64_t(products) : 0;
    s.topEigenvalues =
        numberArray(o.value("topEigenvalues"), what, QStringLiteral("topEigenvalues"));
    const QJsonValue converged = o.value("converged");
    if (!converged.isUndefined() && !converged.isBool())
        fail(what, QStringLiteral("'converged' must be true or false"));
    s.converged = converged.toBool();
    s.bottomEigenvalue = number(o, "bottomEigenvalue", what, {});
    if (o.contains(QLatin1String("trace"))) {
        const QJsonObject trace = objectMember(o, "trace", what);
        s.trace = number(trace, "mean", what, QStringLiteral("trace."));
        s.traceStandardError = number(trace, "standardError", what, QStringLiteral("trace."));
    }
    if (o.contains(QLatin1String("density"))) {
        const QJsonObject density = objectMember(o, "density", what);
        s.densityGrid = numberArray(density.value("grid"), what, QStringLiteral("density.grid"));
        s.density = numberArray(density.value("density"), what, QStringLiteral("density.density"));
        if (s.densityGrid.size() != s.density.size())
            fail(what, QStringLiteral("'density.grid' has %1 values but 'density.density' has %2")
                           .arg(s.densityGrid.size())
                           .arg(s.density.size()));
        s.densitySigma = number(density, "sigma", what, QStringLiteral("density."));
    }
    if (o.contains(QLatin1String("layers"))) {
        const QJsonValue layers = o.value("layers");
        if (!layers.isArray()) fail(what, QStringLiteral("'layers' must be an array"));
        int i = 0;
        for (const QJsonValue& v : layers.toArray()) {
            const QString where = QStringLiteral("layers[%1].").arg(i++);
            if (!v.isObject()) fail(what, QStringLiteral("'%1' must be an object").arg(where));
            const QJsonObject l = v.toObject();
            HessianSpectrum::Layer layer;
            layer.name = string(l, "name", what, where);
            const double parameters = number(l, "parameters", what, where);
            layer.parameters = std::isfinite(parameters) ? std::int64_t(parameters) : 0;
            layer.topEigenvalue = number(l, "topEigenvalue", what, where);
            layer.trace = number(l, "trace", what, where);
            layer.traceStandardError = number(l, "traceStandardError", what, where);
            s.layers.push_back(std::move(layer));
        }
    }
    s.model = string(o, "model", what);
    s.checkpoint = string(o, "checkpoint", what);
    s.dataset = string(o, "dataset", what);
    return s;
}

QByteArray hessianSpectrumJsonText(const HessianSpectrum& spectrum) {
    return QJsonDocument(hessianSpectrumToJson(spectrum)).toJson(QJsonDocument::Indented);
}

void writeHessianSpectrum(const QString& path, const HessianSpectrum& spectrum) {
    const QByteArray text = hessianSpectrumJsonText(spectrum);
    AtomicFile out(QFile::encodeName(path).toStdString());
    out.write(text.constData(), std::size_t(text.size()));
    out.commit();
}

HessianSpectrum readHessianSpectrum(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        fail(QStringLiteral("'%1'").arg(path),
             QStringLiteral("cannot read (%1)").arg(file.errorString()));
    if (file.size() > kMaxFileBytes)
        fail(QStringLiteral("'%1'").arg(path),
             QStringLiteral("%1 bytes is too large for a Hessian spectrum (at most %2)")
                 .arg(file.size())
                 .arg(kMaxFileBytes));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    const QString what = QStringLiteral("'%1'").arg(path);
    if (error.error != QJsonParseError::NoError)
        fail(what, QStringLiteral("invalid JSON at byte %1: %2")
                       .arg(error.offset)
                       .arg(error.errorString()));
    if (!doc.isObject()) fail(what, QStringLiteral("expected a JSON object"));
    return hessianSpectrumFromJson(doc.object(), what);
}

}  // namespace basin::widgets
