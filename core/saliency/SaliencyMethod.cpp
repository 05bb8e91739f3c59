#include "saliency/SaliencyMethod.h"

#include <array>

namespace basin {
namespace {

struct MethodInfo {
    SaliencyMethod method;
    const char* key;
    const char* title;
    bool layer;
    bool isSigned;
};

// One row per method, in the enum's order (allSaliencyMethods' order).
constexpr std::array<MethodInfo, 13> kMethods{{
    {SaliencyMethod::Gradient, "gradient", "Gradient", false, false},
    {SaliencyMethod::GradientTimesInput, "gradxinput", "Gradient \u00d7 Input", false, true},
    {SaliencyMethod::SmoothGrad, "smoothgrad", "SmoothGrad", false, false},
    {SaliencyMethod::SmoothGradSquared, "smoothgrad2", "SmoothGrad\u00b2", false, false},
    {SaliencyMethod::IntegratedGradients, "ig", "Integrated Gradients", false, true},
    {SaliencyMethod::Occlusion, "occlusion", "Occlusion", false, true},
    {SaliencyMethod::Rise, "rise", "RISE", false, false},
    {SaliencyMethod::GradCam, "gradcam", "Grad-CAM", true, false},
    {SaliencyMethod::GradCamPlusPlus, "gradcampp", "Grad-CAM++", true, false},
    {SaliencyMethod::SmoothGradCamPlusPlus, "smoothgradcampp", "Smooth Grad-CAM++", true, false},
    {SaliencyMethod::NormGrad, "normgrad", "NormGrad", true, false},
    {SaliencyMethod::NormGradSelective, "normgrad-selective", "NormGrad (selective)", true, false},
    {SaliencyMethod::NormGradMultiLayer, "normgrad-multi", "NormGrad (multi-layer)", true, false},
}};

const MethodInfo& info(SaliencyMethod method) {
    for (const MethodInfo& m : kMethods)
        if (m.method == method) return m;
    return kMethods[0];  // unreachable for valid enumerators
}

}  // namespace

const char* saliencyMethodKey(SaliencyMethod method) {
    return info(method).key;
}

const char* saliencyMethodTitle(SaliencyMethod method) {
    return info(method).title;
}

std::optional<SaliencyMethod> parseSaliencyMethod(const std::string& key) {
    for (const MethodInfo& m : kMethods)
        if (key == m.key) return m.method;
    return std::nullopt;
}

std::vector<SaliencyMethod> allSaliencyMethods() {
    std::vector<SaliencyMethod> out;
    for (const MethodInfo& m : kMethods)
        out.push_back(m.method);
    return out;
}

bool needsLayer(SaliencyMethod method) {
    return info(method).layer;
}

bool isSignedMethod(SaliencyMethod method) {
    return info(method).isSigned;
}

}  // namespace basin
