#!/usr/bin/env python3
import json, struct, sys
import numpy as np
path = sys.argv[1]
tensors = {
    "layer.weight": np.arange(12, dtype=np.float32).reshape(3, 4) / 8,
    "layer.bias": np.array([-1.5, 2.25], dtype=np.float64),
    "half": np.array([0.5, -2, 65504], dtype=np.float16),
    "bf16": np.array([0x3f80, 0x4049, 0xc000], dtype=np.uint16),  # 1.0, 3.140625, -2.0
    "steps": np.array([[-(2**40), 7]], dtype=np.int64),
    "i32": np.array([-3, 4], dtype=np.int32),
    "i16": np.array([-300], dtype=np.int16),
    "i8": np.array([-7, 7], dtype=np.int8),
    "u8": np.array([255, 0], dtype=np.uint8),
    "mask": np.array([True, False, True]),
    "scalar": np.array(42, dtype=np.int64),
    "empty": np.zeros((0, 5), dtype=np.float32),
}
dtypes = {"float32": "F32", "float64": "F64", "float16": "F16", "uint16": "BF16", "int64": "I64",
          "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL"}
header, blobs, offset = {"__metadata__": {"format": "pt", "note": "caf\u00e9 \ud83d\ude00"}}, [], 0
for name in sorted(tensors, reverse=True):  # header order differs from file order
    a = tensors[name]
    b = a.tobytes()
    header[name] = {"dtype": dtypes[a.dtype.name], "shape": list(a.shape),
                    "data_offsets": [offset, offset + len(b)]}
    blobs.append(b)
    offset += len(b)
text = json.dumps(header).encode()
text += b" " * ((8 - len(text) % 8) % 8)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
out = {}
for name, a in tensors.items():
    if name == "bf16":
        a = (a.astype(np.uint32) << 16).view(np.float32)
    out[name] = {"shape": list(a.shape), "values": a.astype(np.float64).ravel().tolist()}
print(json.dumps(out))
