#pragma once
// A HessianSpectrum as JSON: the object `basin hessian --json` prints, which
// the GUI saves next to a checkpoint and opens as a spectrum view, so a file
// from either opens in the other. Members (absent = not computed):
//
//   parameters, loss, products            numbers
//   topEigenvalues                        [numbers], descending
//   converged                             bool
//   bottomEigenvalue                      number
//   trace                                 {mean, standardError}
//   density                               {grid: [numbers], density: [numbers], sigma}
//   layers                                [{name, parameters, topEigenvalue, trace,
//                                           traceStandardError}]
//   model, checkpoint, dataset            strings (paths), when known
//
// Reading checks every member's type and the density's lengths and names the
// file and the member in its error; files over 64 MiB are refused unread.

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include "curvature/HessianSpectrum.h"

namespace basin::widgets {

QJsonObject hessianSpectrumToJson(const HessianSpectrum& spectrum);
// Throws std::runtime_error "<what>: <member> ..." for a malformed object.
HessianSpectrum hessianSpectrumFromJson(const QJsonObject& json, const QString& what);

// Indented JSON text, as the CLI prints it.
QByteArray hessianSpectrumJsonText(const HessianSpectrum& spectrum);
// Atomic (temporary file, then rename); throws std::runtime_error naming the file.
void writeHessianSpectrum(const QString& path, const HessianSpectrum& spectrum);
// Throws std::runtime_error naming the file.
HessianSpectrum readHessianSpectrum(const QString& path);

}  // namespace basin::widgets
