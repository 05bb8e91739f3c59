#include "data/DatasetPreview.h"

#include <Eigen/Dense>
#include <QCoreApplication>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace basin::widgets {
namespace {

// The inputs' floats (Dataset::validate guarantees float32; loaders write
// contiguous batches).
const float* inputFloats(const Dataset& dataset) {
    const TensorData& t = dataset.inputs;
    if (t.dtype != DType::Float32 || !t.isContiguous() || !t.storage)
        throw std::runtime_error("dataset '" + dataset.name + "': inputs " + t.shapeString() +
                                 " are not a contiguous float32 batch");
    return reinterpret_cast<const float*>(t.storage->data()) + t.storageOffset;
}

std::int64_t featuresPerSample(const Dataset& dataset) {
    std::int64_t d = 1;
    for (std::int64_t s : dataset.sampleShape())
        d *= s;
    return d;
}

void checkIndex(const Dataset& dataset, std::int64_t index) {
    if (index < 0 || index >= dataset.size())
        throw std::out_of_range("sample " + std::to_string(index) + " is outside the dataset (" +
                                std::to_string(dataset.size()) + " samples)");
}

}  // namespace

DatasetLayout datasetLayout(const Dataset& dataset) {
    const auto shape = dataset.sampleShape();
    if (shape.size() == 3 && (shape[0] == 1 || shape[0] == 3) && shape[1] > 1 && shape[2] > 1)
        return DatasetLayout::Images;
    if (shape.size() == 2 && shape[0] > 1 && shape[1] > 1) return DatasetLayout::Images;
    if (shape.size() == 1 && shape[0] == 2) return DatasetLayout::Scatter2D;
    return DatasetLayout::Pca;
}

QString PixelRange::caption() const {
    return QCoreApplication::translate(
               "DatasetPreview",
               "pixels: black = %1 … white = %2 (dataset-wide min/max, all channels)")
        .arg(lo, 0, 'g', 3)
        .arg(hi, 0, 'g', 3);
}

PixelRange datasetPixelRange(const Dataset& dataset) {
    const float* v = inputFloats(dataset);
    const std::int64_t n = dataset.inputs.numel();
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (std::int64_t i = 0; i < n; ++i) {
        if (!std::isfinite(v[i])) continue;
        lo = std::min(lo, double(v[i]));
        hi = std::max(hi, double(v[i]));
    }
    if (!std::isfinite(lo)) return {};
    if (hi <= lo) hi = lo + 1;  // a constant dataset shows as black
    return {lo, hi};
}

ImageShape imageShape(const Dataset& dataset) {
    const auto shape = dataset.sampleShape();
    if (shape.size() == 3) return {int(shape[0]), int(shape[1]), int(shape[2])};
    if (shape.size() == 2) return {1, int(shape[0]), int(shape[1])};
    throw std::runtime_error("dataset '" + dataset.name + "': samples " + shapeString(shape) +
                             " are not images");
}

QImage sampleImage(const Dataset& dataset, std::int64_t index, const PixelRange& range) {
    checkIndex(dataset, index);
    const ImageShape s = imageShape(dataset);
    const std::int64_t plane = std::int64_t(s.height) * s.width;
    const float* v = inputFloats(dataset) + index * plane * s.channels;
    const double scale = 255.0 / (range.hi - range.lo);
    auto byte = [&](float x) {
        if (!std::isfinite(x)) return 0;
        return int(std::clamp(std::lround((double(x) - range.lo) * scale), 0L, 255L));
    };
    QImage image(s.width, s.height, QImage::Format_RGB32);
    for (int y = 0; y < s.height; ++y) {
        auto* line = reinterpret_cast<QRgb*>(image.scanLine(y));
        for (int x = 0; x < s.width; ++x) {
            const std::int64_t p = std::int64_t(y) * s.width + x;
            if (s.channels == 3) {
                line[x] = qRgb(byte(v[p]), byte(v[plane + p]), byte(v[2 * plane + p]));
            } else {
                const int g = byte(v[p]);
                line[x] = qRgb(g, g, g);
            }
        }
    }
    return image;
}

std::vector<std::int64_t> classLabels(const Dataset& dataset) {
    if (!dataset.isClassification()) return {};
    std::vector<std::int64_t> labels(static_cast<std::size_t>(dataset.size()));
    const TensorData& t = dataset.targets;
    if (t.isContiguous() && t.storage) {
        std::memcpy(labels.data(),
                    t.storage->data() + t.storageOffset * std::int64_t(sizeof(std::int64_t)),
                    labels.size() * sizeof(std::int64_t));
    } else {
        const auto values = t.toDoubles();
        for (std::size_t i = 0; i < labels.size(); ++i)
            labels[i] = std::int64_t(values[i]);
    }
    return labels;
}

std::vector<std::int64_t> classCounts(const Dataset& dataset) {
    std::vector<std::int64_t> counts(std::size_t(std::max<std::int64_t>(0, dataset.classCount())));
    for (std::int64_t label : classLabels(dataset))
        if (label >= 0 && label < std::int64_t(counts.size())) ++counts[std::size_t(label)];
    return counts;
}

std::vector<double> targetValues(const Dataset& dataset) {
    const auto all = dataset.targets.toDoubles();
    const std::int64_t n = dataset.size();
    if (n == 0) return {};
    const std::size_t stride = all.size() / std::size_t(n);
    std::vector<double> values(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = all[i * stride];
    return values;
}

QString className(const Dataset& dataset, std::int64_t c) {
    if (c >= 0 && c < std::int64_t(dataset.classNames.size()))
        return QString::fromStdString(dataset.classNames[std::size_t(c)]);
    return QString::number(c);
}

QString sampleLabel(const Dataset& dataset, std::int64_t index) {
    checkIndex(dataset, index);
    if (dataset.isClassification()) {
        std::int64_t label = 0;
        std::memcpy(&label,
                    dataset.targets.storage->data() +
                        (dataset.targets.storageOffset + index) * std::int64_t(sizeof(label)),
                    sizeof(label));
        return className(dataset, label);
    }
    const auto values = sampleOf(dataset.targets, index, dataset.name).toDoubles();
    return values.empty() ? QString() : QString::number(values.front(), 'g', 4);
}

std::vector<std::int64_t> samplesOfClass(const Dataset& dataset, std::int64_t classFilter) {
    std::vector<std::int64_t> indices;
    if (classFilter < 0 || !dataset.isClassification()) {
        indices.resize(std::size_t(dataset.size()));
        for (std::size_t i = 0; i < indices.size(); ++i)
            indices[i] = std::int64_t(i);
        return indices;
    }
    const auto labels = classLabels(dataset);
    for (std::size_t i = 0; i < labels.size(); ++i)
        if (labels[i] == classFilter) indices.push_back(std::int64_t(i));
    return indices;
}

std::vector<std::int64_t> evenlySampled(const std::vector<std::int64_t>& indices, std::size_t cap) {
    if (indices.size() <= cap) return indices;
    std::vector<std::int64_t> picked(cap);
    for (std::size_t k = 0; k < cap; ++k)
        picked[k] = indices[k * indices.size() / cap];
    return picked;
}

std::vector<double> featureRow(const Dataset& dataset, std::int64_t index) {
    checkIndex(dataset, index);
    const std::int64_t d = featuresPerSample(dataset);
    const float* v = inputFloats(dataset) + index * d;
    return {v, v + d};
}

PcaProjection principalComponents(const Dataset& dataset, const std::vector<std::int64_t>& rows) {
    const std::int64_t d = featuresPerSample(dataset);
    if (rows.size() < 2 || d < 2)
        throw std::runtime_error("dataset '" + dataset.name +
                                 "': principal components need at least two samples with at "
                                 "least two features");
    const float* v = inputFloats(dataset);
    Eigen::MatrixXd x(Eigen::Index(rows.size()), Eigen::Index(d));
    for (std::size_t r = 0; r < rows.size(); ++r) {
        checkIndex(dataset, rows[r]);
        for (std::int64_t j = 0; j < d; ++j)
            x(Eigen::Index(r), Eigen::Index(j)) = v[rows[r] * d + j];
    }
    x.rowwise() -= x.colwise().mean();
    const Eigen::MatrixXd covariance = (x.transpose() * x) / double(rows.size() - 1);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(covariance);
    if (eigen.info() != Eigen::Success)
        throw std::runtime_error("dataset '" + dataset.name +
                                 "': the covariance eigendecomposition failed");
    const Eigen::VectorXd values = eigen.eigenvalues().cwiseMax(0.0);  // ascending
    const double total = values.sum();
    PcaProjection pca;
    for (int k = 0; k < 2; ++k) {
        Eigen::VectorXd component = eigen.eigenvectors().col(Eigen::Index(d) - 1 - k);
        Eigen::Index largest = 0;
        component.cwiseAbs().maxCoeff(&largest);
        if (component(largest) < 0) component = -component;
        pca.components[k].assign(component.data(), component.data() + component.size());
        pca.explained[k] = total > 0 ? values(Eigen::Index(d) - 1 - k) / total : 0.0;
        const Eigen::VectorXd coordinates = x * component;
        (k == 0 ? pca.x : pca.y)
            .assign(coordinates.data(), coordinates.data() + coordinates.size());
    }
    return pca;
}

}  // namespace basin::widgets
