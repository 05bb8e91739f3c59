// TensorData: the plain tensor every file reader produces.

#include <cstring>

#include "BasinTest.h"
#include "io/TensorData.h"

using namespace basin;

namespace {

template <typename T>
std::shared_ptr<Storage> storageOf(const std::vector<T>& values) {
    auto s = Storage::allocate(values.size() * sizeof(T));
    std::memcpy(s->mutableData(), values.data(), values.size() * sizeof(T));
    return s;
}

}  // namespace

class TestTensorData : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void contiguousAndStridedViews() {
        TensorData t;
        t.dtype = DType::Float32;
        t.shape = {2, 3};
        t.storage = storageOf<float>({0, 1, 2, 3, 4, 5});
        QVERIFY(t.isContiguous());
        QCOMPARE(t.numel(), std::int64_t(6));
        QCOMPARE(t.toDoubles(), (std::vector<double>{0, 1, 2, 3, 4, 5}));
        // The transpose: a view with swapped strides into the same storage.
        TensorData tr = t;
        tr.shape = {3, 2};
        tr.strides = {1, 3};
        QVERIFY(!tr.isContiguous());
        QCOMPARE(tr.toDoubles(), (std::vector<double>{0, 3, 1, 4, 2, 5}));
        // A row at an offset.
        TensorData row = t;
        row.shape = {3};
        row.strides = {1};
        row.storageOffset = 3;
        QCOMPARE(row.toDoubles(), (std::vector<double>{3, 4, 5}));
        QCOMPARE(t.shapeString(), std::string("[2, 3]"));
    }

    void halfAndBfloat16Decode() {
        // IEEE half: 1.0 = 0x3c00, -2.5 = 0xc100, 65504 = 0x7bff, smallest subnormal 2^-24 =
        // 0x0001.
        TensorData h;
        h.dtype = DType::Float16;
        h.shape = {4};
        h.storage = storageOf<std::uint16_t>({0x3c00, 0xc100, 0x7bff, 0x0001});
        const auto v = h.toDoubles();
        QCOMPARE(v[0], 1.0);
        QCOMPARE(v[1], -2.5);
        QCOMPARE(v[2], 65504.0);
        QCOMPARE(v[3], std::ldexp(1.0, -24));
        // bfloat16 is the top half of a float32: 1.0f = 0x3f80, pi ≈ 0x4049.
        TensorData b;
        b.dtype = DType::BFloat16;
        b.shape = {2};
        b.storage = storageOf<std::uint16_t>({0x3f80, 0x4049});
        QCOMPARE(b.toDoubles()[0], 1.0);
        QCOMPARE(b.toDoubles()[1], 3.140625);
    }

    void validateCatchesLies() {
        TensorData t;
        t.dtype = DType::Float32;
        t.shape = {2, 3};
        t.storage = storageOf<float>({0, 1, 2, 3, 4});  // one element short
        try {
            t.validate("fc.weight");
            QFAIL("expected an error");
        } catch (const std::runtime_error& e) {
            const QString m = e.what();
            QVERIFY2(m.contains("fc.weight") && m.contains("24 bytes") && m.contains("20"),
                     qPrintable(m));
        }
        t.shape = {1, 5};
        t.validate("ok");
        // Shapes whose extent overflows int64 are refused, not wrapped.
        t.shape = {INT64_MAX / 2, 4};
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, t.validate("huge"));
        t.shape = {2};
        t.strides = {1, 1};
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, t.validate("bad strides"));
        // Empty tensors need no storage.
        TensorData e;
        e.shape = {0, 7};
        e.validate("empty");
    }

    void dtypeFacts() {
        QCOMPARE(dtypeSize(DType::BFloat16), std::size_t(2));
        QCOMPARE(dtypeSize(DType::Int64), std::size_t(8));
        QCOMPARE(std::string(dtypeName(DType::Bool)), std::string("bool"));
    }
};

BASIN_TEST_MAIN(TestTensorData)
#include "test_tensor_data.moc"
