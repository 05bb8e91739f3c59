#include "cli/SaliencyMethodList.h"

#include <QStringList>
#include <stdexcept>

namespace basin::app {

std::vector<SaliencyMethod> parseSaliencyMethods(const QString& list, const QString& option) {
    std::vector<SaliencyMethod> methods;
    for (const QString& key : list.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const auto m = parseSaliencyMethod(key.trimmed().toStdString());
        if (!m) {
            QStringList known;
            for (SaliencyMethod k : allSaliencyMethods())
                known << QString::fromLatin1(saliencyMethodKey(k));
            throw std::runtime_error(QStringLiteral("unknown saliency method '%1' (known: %2)")
                                         .arg(key, known.join(QStringLiteral(", ")))
                                         .toStdString());
        }
        methods.push_back(*m);
    }
    if (methods.empty())
        throw std::runtime_error(QStringLiteral("%1 names no method").arg(option).toStdString());
    return methods;
}

}  // namespace basin::app
