#pragma once
// The avatar view's Bind to SMPL-X…: the user's SMPL-X body model (.npz,
// never shipped with Basin), the shape coefficients (betas) the splats were
// trained at — typed, or read from an SMPL-X parameter file of the same
// subject — and whether motions add the model's mean hand pose (the smplx
// package's flat_hand_mean=False). OK is refused, with the reason shown in the
// dialog, until the model file exists and the betas parse.

#include <QDialog>
#include <QString>
#include <vector>

class QCheckBox;
class QLabel;
class QLineEdit;

namespace basin::app {

class SmplxBindDialog : public QDialog {
    Q_OBJECT
public:
    explicit SmplxBindDialog(QWidget* parent = nullptr);

    void setModelPath(const QString& path);
    void setBetas(const std::vector<double>& betas);
    void setHandMean(bool add);

    QString modelPath() const;
    // Parsed from the betas field (numbers separated by commas or spaces).
    std::vector<double> betas() const;
    bool handMean() const;

    // Fills the betas from the first frame of an SMPL-X parameter file;
    // false, with the reason shown, when it cannot be read or has none.
    bool readBetasFrom(const QString& parameterFile);

    void accept() override;

private:
    QLineEdit* model_ = nullptr;
    QLineEdit* betas_ = nullptr;
    QCheckBox* handMean_ = nullptr;
    QLabel* problem_ = nullptr;
};

// Numbers separated by commas and/or white space into `values`; false when a
// token is not a finite number.
bool parseNumberList(const QString& text, std::vector<double>* values);

}  // namespace basin::app
