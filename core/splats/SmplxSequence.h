#pragma once
// SMPL-X parameter sequences: the per-frame parameter files avatar pipelines
// write (a pickled dict of numpy arrays per frame, as EVA and the smplx
// fitting tools save them, or .npz files with the same keys), read with
// Basin's restricted pickle machine — nothing in a file is executed — and
// played as an animation.
//
// Keys (others are ignored): global_orient (3), body_pose (63), jaw_pose,
// leye_pose, reye_pose (3), left_hand_pose, right_hand_pose, transl (3),
// betas, expression; each may carry a leading frame axis (a whole sequence in
// one file) or a leading 1. betas and expression with one row apply to every
// frame. An .npz may give mocap_framerate. A hand pose holds 45 values (15
// joints' axis-angle) or k < 45 PCA coefficients, as the smplx package writes
// them with use_pca=True (num_pca_comps=k, 6 by default), which a model's hand
// components expand (expandHandPoses); 45 PCA coefficients cannot be told from
// axis-angle values and read as axis-angle.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "splats/SmplxModel.h"

namespace basin {

struct SmplxSequence {
    std::vector<SmplxParameters> frames;
    double fps = 30;
    std::vector<std::string> files;  // where the frames came from, in order

    // The frame shown at `seconds`, looping.
    std::size_t frameAt(double seconds) const;
    double duration() const { return fps > 0 ? double(frames.size()) / fps : 0; }
};

// Reads one parameter file (.pkl/.pickle or .npz); throws std::runtime_error
// naming the file and the key that is missing, misshapen or not numeric.
// `fps` receives an .npz's mocap_framerate when it has one.
std::vector<SmplxParameters> readSmplxParameters(const std::string& path, double* fps = nullptr);
// The same from bytes: a zip archive is read as .npz, anything else as a
// pickle. `name` names the file in messages.
std::vector<SmplxParameters> parseSmplxParameters(const std::uint8_t* data, std::size_t size,
                                                  const std::string& name, double* fps = nullptr);
// Reads the files in the order given.
SmplxSequence readSmplxSequence(const std::vector<std::string>& files);
// Every .pkl, .pickle and .npz file of a folder, in natural order
// (frame_2 before frame_10).
SmplxSequence readSmplxSequenceFolder(const std::string& folder);

// The sequence with every frame's hand poses as 45 axis-angle values:
// SmplxModel::withFullHandPoses(frame, addHandMean) per frame (PCA
// coefficients through the model's hand components; with `addHandMean` the
// model's mean hand pose added, as the smplx package's flat_hand_mean=False).
// Throws std::invalid_argument naming the frame's file and the hand pose the
// model cannot expand.
SmplxSequence expandHandPoses(const SmplxSequence& sequence, const SmplxModel& model,
                              bool addHandMean = false);

}  // namespace basin
