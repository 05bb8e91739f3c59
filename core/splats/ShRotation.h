#pragma once
// Turning the view-dependent colour of a splat with a rotation R: new
// spherical-harmonic coefficients c' such that colour'(d) = colour(Rᵀ d) for
// every direction d, in the basis and sign conventions of shBasis
// (SphericalHarmonics.h, the 3D Gaussian Splatting reference's). Skinning
// (LinearBlendSkinning.h) uses it so that highlights turn with the bones.
//
// Rotations act on each band l separately: c'_l = D_l(R) c_l with D_l(R) a
// (2l+1)×(2l+1) orthogonal matrix (the basis is orthonormal up to signs) and
// D_l(R₁R₂) = D_l(R₁) D_l(R₂). Instead of Wigner-D formulas, D_l is found by
// sampling: for m = 2l+1 fixed directions d_i with Y_l(d_i) (the m×m matrix
// whose row i is band l of shBasis at d_i) invertible, a band-l function is
// fixed by its values at the d_i, so c'_l = P_l v with P_l = Y_l(d_i)⁻¹
// precomputed and v_i = colour_l(Rᵀ d_i) = Y_l(Rᵀ d_i)·c_l; that is,
// D_l(R) = P_l · Y_l(Rᵀ d_i). The directions were chosen by a random search
// for well-conditioned Y_l (condition numbers about 3). Band 1 is the closed
// form: its colour is C1 g·d for a 3-vector g made of c_1, which turns as R g.

#include <Eigen/Core>

namespace basin {

// D_l(R) for band l in 1..3 (the DC band 0 never changes): the coefficients
// k = l², …, l²+2l of one colour channel turn as c'_l = D_l(R) c_l. Throws
// std::invalid_argument for another band.
Eigen::MatrixXd shBandRotation(int band, const Eigen::Matrix3d& rotation);

// Turns one splat's coefficients in place: (degree+1)² RGB triples,
// coefficient-major (RenderSplats::sh of one splat), so that its colour along
// d becomes its old colour along rotationᵀ d. The DC term is kept; degree 0
// returns at once. About 500 multiply-adds for degree 3.
void rotateShCoefficients(int degree, const Eigen::Matrix3f& rotation, float* coefficients);

}  // namespace basin
