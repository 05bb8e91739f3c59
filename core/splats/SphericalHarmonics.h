#pragma once
// View-dependent colour of a 3D Gaussian: real spherical harmonics of degree
// 0–3 evaluated in the viewing direction, with the constants and sign
// conventions of the 3D Gaussian Splatting reference code (Kerbl et al. 2023,
// forward.cu computeColorFromSH), so colours match files trained with it.

#include <array>

namespace basin {

namespace sh {
constexpr float C0 = 0.28209479177387814f;
constexpr float C1 = 0.4886025119029199f;
constexpr float C2[5] = {1.0925484305920792f, -1.0925484305920792f, 0.31539156525252005f,
                         -1.0925484305920792f, 0.5462742152960396f};
constexpr float C3[7] = {-0.5900435899266435f, 2.890611442640554f,   -0.4570457994644658f,
                         0.3731763325901154f,  -0.4570457994644658f, 1.445305721320277f,
                         -0.5900435899266435f};
}  // namespace sh

// The (degree+1)² basis values Y_k(d) for a unit direction d, in the order
// of the coefficients (k = 0 the DC term). Entries beyond the degree are 0.
std::array<float, 16> shBasis(int degree, const std::array<float, 3>& direction);

// The colour of one splat seen along `direction` (from the camera towards
// the splat, normalized here): Σ_k Y_k(d)·coefficients[k] + 0.5, clamped
// below at 0 per channel. `coefficients` holds (degree+1)² RGB triples,
// coefficient-major (RenderSplats::sh of one splat).
std::array<float, 3> shColour(int degree, const float* coefficients,
                              const std::array<float, 3>& direction);

}  // namespace basin
