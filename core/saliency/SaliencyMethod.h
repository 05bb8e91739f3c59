#pragma once
// The saliency methods Basin computes, their command-line keys and what kind
// of map each gives. Formulas and papers are in the header of the file that
// implements each family (GradientSaliency.cpp, PerturbationSaliency.cpp,
// CamSaliency.cpp).

#include <optional>
#include <string>
#include <vector>

namespace basin {

enum class SaliencyMethod {
    Gradient,               // |∂y_c/∂x|, reduced over channels (Simonyan et al. 2014)
    GradientTimesInput,     // x ⊙ ∂y_c/∂x (Shrikumar et al. 2016), signed
    SmoothGrad,             // mean of gradients at x + N(0, σ²) (Smilkov et al. 2017)
    SmoothGradSquared,      // mean of squared gradients (Hooker et al. 2019)
    IntegratedGradients,    // (x − x′) ⊙ ∫ ∂y_c/∂x(x′ + α(x − x′)) dα (Sundararajan et al. 2017), signed
    Occlusion,              // y_c(x) − y_c(x with a window occluded) (Zeiler & Fergus 2014), signed
    Rise,                   // Σ_masks y_c(x ⊙ M)·M / (N·p) (Petsiuk et al. 2018)
    GradCam,                // ReLU(Σ_k α_k A^k), α_k = mean ∂y_c/∂A^k (Selvaraju et al. 2017)
    GradCamPlusPlus,        // α = g²/(2g² + ΣA·g³) weights on ReLU(g) (Chattopadhay et al. 2018)
    SmoothGradCamPlusPlus,  // Grad-CAM++ with derivatives averaged over noisy inputs (Omeiza et al. 2019)
    NormGrad,               // ‖x_u‖·‖g_u‖ at a layer (Rebuffi et al. 2020)
    NormGradSelective,      // NormGrad with the class-selective gradient (Rebuffi et al. 2020)
    NormGradMultiLayer,     // NormGrad combined over several layers (Rebuffi et al. 2020)
};

// "gradient", "gradxinput", "smoothgrad", "smoothgrad2", "ig", "occlusion",
// "rise", "gradcam", "gradcampp", "smoothgradcampp", "normgrad",
// "normgrad-selective", "normgrad-multi".
const char* saliencyMethodKey(SaliencyMethod method);
// A title for views and figures ("Grad-CAM++", "Integrated Gradients").
const char* saliencyMethodTitle(SaliencyMethod method);
std::optional<SaliencyMethod> parseSaliencyMethod(const std::string& key);
std::vector<SaliencyMethod> allSaliencyMethods();

// Methods reading a layer's activations (the Grad-CAM family, NormGrad).
bool needsLayer(SaliencyMethod method);
// Methods whose map has a sign (gradient × input, IG, occlusion); the others
// are magnitudes.
bool isSignedMethod(SaliencyMethod method);

}  // namespace basin
