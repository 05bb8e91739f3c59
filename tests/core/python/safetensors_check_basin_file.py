#!/usr/bin/env python3
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], "rb").read()
n, = struct.unpack("<Q", raw[:8])
assert n % 8 == 0, n
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
assert header.pop("__metadata__") == {"epoch": "3", "quote\"d": "\u00e9\n"}
names = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2", "I64": "<i8", "I32": "<i4",
         "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}
end = 0
for name, info in header.items():
    b, e = info["data_offsets"]
    assert b == end, (name, b, end)  # contiguous, in order, like the reference
    end = e
    a = np.frombuffer(data[b:e], dtype=names[info["dtype"]]).reshape(info["shape"])
    raw_bytes = np.frombuffer(data[b:e], dtype=np.uint8)
    if info["dtype"] == "BOOL":
        want = np.arange(raw_bytes.size) % 2
    elif name.startswith("view"):
        continue
    else:
        want = (np.arange(raw_bytes.size) * 7 + 1) % 256
    assert np.array_equal(raw_bytes, want.astype(np.uint8)), name
assert end == len(data), (end, len(data))
v = header["view F32"]
assert v["shape"] == [4, 3], v
base = ((np.arange(48) * 7 + 1) % 256).astype(np.uint8).view("<f4").reshape(3, 4)
b, e = v["data_offsets"]
assert np.array_equal(np.frombuffer(data[b:e], "<f4").reshape(4, 3), base.T, equal_nan=True)
print("ok", len(header))
