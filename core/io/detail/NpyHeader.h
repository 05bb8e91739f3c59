#pragma once
// The header of a NumPy .npy file (numpy/lib/format.py, "Format Version 1.0"):
//   6 bytes  magic "\x93NUMPY"
//   2 bytes  version major, minor: 1.0, 2.0 or 3.0
//   2 bytes  (1.0) or 4 bytes (2.0, 3.0): HEADER_LEN, little-endian
//   HEADER_LEN bytes: a Python dict literal, padded with spaces and ended by
//            '\n' so that the data starts aligned (to 64 bytes since NumPy 1.14):
//            {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//   then the array's elements, C or Fortran order.
// Basin parses the literal itself, strictly: exactly those three keys, string
// keys in single or double quotes, True/False, tuples of non-negative integers
// ("(n,)" for one dimension, "()" for a scalar, Python 2's "3L" accepted).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/TensorData.h"

namespace basin::detail {

struct NpyHeader {
    DType dtype = DType::Float32;
    bool bigEndian = false;  // the data must be byte-swapped on this machine
    bool fortranOrder = false;
    std::vector<std::int64_t> shape;
    std::size_t dataOffset = 0;   // bytes from the start of the file to the data
    std::uint64_t dataBytes = 0;  // numel × element size
};

// The header at the start of data[0, size) (which may be just a prefix of the
// file). Throws std::runtime_error starting with `what` ("npy file 'x.npy'").
NpyHeader parseNpyHeader(const std::uint8_t* data, std::size_t size, const std::string& what);

// The bytes before the data of a C-order, native little-endian array, padded
// to 64 bytes; version 1.0 unless the header needs 2.0. Throws for bfloat16,
// which NumPy has no dtype for.
std::string formatNpyHeader(DType dtype, const std::vector<std::int64_t>& shape,
                            const std::string& what);

}  // namespace basin::detail
