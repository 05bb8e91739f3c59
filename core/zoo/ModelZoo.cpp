#include "zoo/ModelZoo.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "model/detail/ModelImpl.h"
#include "util/Pcg32.h"

namespace basin {
namespace {

using torch::jit::Module;

// One compilation unit per zoo model; each layer gets its own class type
// (mangled names: Linear, ___torch_mangle_1.Linear, ...), since registering a
// parameter adds it to the type.
struct Builder {
    std::shared_ptr<torch::jit::CompilationUnit> unit =
        std::make_shared<torch::jit::CompilationUnit>();
    Pcg32 rng;
    explicit Builder(std::uint64_t seed) : rng(seed) {}

    Module newModule(const std::string& type) {
        Module m(c10::QualifiedName("__torch__.basin.zoo." + type), unit, /*shouldMangle=*/true);
        // Module::train()/eval() and Python's .training read this attribute.
        m.register_attribute("training", c10::BoolType::get(), true);
        return m;
    }

    // Uniform in [-bound, bound], drawn in row-major order from the model's stream.
    torch::Tensor uniform(std::vector<std::int64_t> shape, double bound) {
        torch::Tensor t = torch::empty(shape, torch::kFloat32);
        float* p = t.data_ptr<float>();
        for (std::int64_t i = 0; i < t.numel(); ++i)
            p[i] = float(rng.uniform(-bound, bound));
        return t;
    }

    void parameter(Module& m, const std::string& name, torch::Tensor value) {
        m.register_parameter(name, value.set_requires_grad(true), /*is_buffer=*/false);
    }

    // nn.Linear: weight [out, in], bias [out]; kaiming_uniform_(a = sqrt(5))
    // gives bound = gain * sqrt(3 / fan_in) with gain = sqrt(2 / (1 + 5)),
    // i.e. 1 / sqrt(fan_in); the bias uses the same bound.
    Module linear(std::int64_t in, std::int64_t out) {
        Module m = newModule("Linear");
        const double bound = 1.0 / std::sqrt(double(in));
        parameter(m, "weight", uniform({out, in}, bound));
        parameter(m, "bias", uniform({out}, bound));
        m.define(R"(
def forward(self, x: Tensor) -> Tensor:
    return torch.linear(x, self.weight, self.bias)
)");
        return m;
    }

    // nn.Conv2d(in, out, k, stride, padding, bias=False): weight [out, in, k, k],
    // fan_in = in * k * k.
    Module conv(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t stride,
                std::int64_t padding) {
        Module m = newModule("Conv2d");
        parameter(m, "weight", uniform({out, in, k, k}, 1.0 / std::sqrt(double(in * k * k))));
        std::ostringstream src;
        src << "\ndef forward(self, x: Tensor) -> Tensor:\n"
            << "    return torch.conv2d(x, self.weight, None, [" << stride << ", " << stride
            << "], [" << padding << ", " << padding << "], [1, 1], 1)\n";
        m.define(src.str());
        return m;
    }

    // nn.BatchNorm2d(c) with momentum 0.1 and eps 1e-5: in training mode
    // normalises with batch statistics and updates the running ones
    // (running = 0.9 running + 0.1 batch, unbiased variance), counting batches.
    Module batchNorm(std::int64_t c) {
        Module m = newModule("BatchNorm2d");
        parameter(m, "weight", torch::ones({c}));
        parameter(m, "bias", torch::zeros({c}));
        m.register_buffer("running_mean", torch::zeros({c}));
        m.register_buffer("running_var", torch::ones({c}));
        m.register_buffer("num_batches_tracked", torch::zeros({}, torch::kInt64));
        m.define(R"(
def forward(self, x: Tensor) -> Tensor:
    if self.training:
        self.num_batches_tracked.add_(1)
    return torch.batch_norm(x, self.weight, self.bias, self.running_mean, self.running_var,
                            self.training, 0.1, 1e-05, False)
)");
        return m;
    }

    Model finish(Module module, const std::string& name) {
        auto impl = std::make_shared<Model::Impl>();
        impl->module = std::move(module);
        impl->name = name;
        return Model(std::move(impl));
    }
};

void requirePositive(const char* model, const char* what, std::int64_t value) {
    if (value < 1 || value > (std::int64_t(1) << 20))
        throw std::invalid_argument(std::string(model) + ": " + what + " = " +
                                    std::to_string(value) + " must be in 1..2^20");
}

// A basic block: conv3x3-BN-ReLU-conv3x3-BN plus the identity (or a strided
// 1x1 conv + BN when the shape changes), then ReLU.
Module basicBlock(Builder& b, std::int64_t in, std::int64_t out, std::int64_t stride) {
    Module m = b.newModule("BasicBlock");
    m.register_module("conv1", b.conv(in, out, 3, stride, 1));
    m.register_module("bn1", b.batchNorm(out));
    m.register_module("conv2", b.conv(out, out, 3, 1, 1));
    m.register_module("bn2", b.batchNorm(out));
    const bool project = stride != 1 || in != out;
    if (project) {
        Module shortcut = b.newModule("Downsample");
        shortcut.register_module("conv", b.conv(in, out, 1, stride, 0));
        shortcut.register_module("bn", b.batchNorm(out));
        shortcut.define(R"(
def forward(self, x: Tensor) -> Tensor:
    return self.bn.forward(self.conv.forward(x))
)");
        m.register_module("downsample", shortcut);
    }
    m.define(std::string(R"(
def forward(self, x: Tensor) -> Tensor:
    out = torch.relu(self.bn1.forward(self.conv1.forward(x)))
    out = self.bn2.forward(self.conv2.forward(out))
    return torch.relu(out + )") +
             (project ? "self.downsample.forward(x))\n" : "x)\n"));
    return m;
}

}  // namespace

Model makeMlp(const MlpOptions& o) {
    requirePositive("MLP", "inputs", o.inputs);
    requirePositive("MLP", "classes", o.classes);
    for (auto h : o.hidden)
        requirePositive("MLP", "hidden width", h);
    Builder b(o.seed);
    Module m = b.newModule("MLP");
    std::ostringstream src, name;
    src << "\ndef forward(self, x: Tensor) -> Tensor:\n    x = torch.flatten(x, 1)\n";
    name << "mlp-" << o.inputs;
    std::int64_t in = o.inputs;
    std::size_t layer = 1;
    for (auto width : o.hidden) {
        m.register_module("fc" + std::to_string(layer), b.linear(in, width));
        src << "    x = torch.relu(self.fc" << layer << ".forward(x))\n";
        name << '-' << width;
        in = width;
        ++layer;
    }
    m.register_module("fc" + std::to_string(layer), b.linear(in, o.classes));
    src << "    return self.fc" << layer << ".forward(x)\n";
    name << '-' << o.classes;
    m.define(src.str());
    return b.finish(std::move(m), name.str());
}

Model makeSmallCnn(const SmallCnnOptions& o) {
    requirePositive("small CNN", "channels", o.channels);
    requirePositive("small CNN", "classes", o.classes);
    requirePositive("small CNN", "baseWidth", o.baseWidth);
    if (o.height < 4 || o.width < 4 || o.height > 4096 || o.width > 4096)
        throw std::invalid_argument("small CNN: images must be 4..4096 pixels a side, got " +
                                    std::to_string(o.height) + "x" + std::to_string(o.width));
    Builder b(o.seed);
    Module m = b.newModule("SmallCNN");
    const std::int64_t w = o.baseWidth;
    m.register_module("conv1", b.conv(o.channels, w, 3, 1, 1));
    m.register_module("bn1", b.batchNorm(w));
    m.register_module("conv2", b.conv(w, 2 * w, 3, 1, 1));
    m.register_module("bn2", b.batchNorm(2 * w));
    m.register_module("fc", b.linear(2 * w * (o.height / 4) * (o.width / 4), o.classes));
    m.define(R"(
def forward(self, x: Tensor) -> Tensor:
    x = torch.max_pool2d(torch.relu(self.bn1.forward(self.conv1.forward(x))), [2, 2], [2, 2], [0, 0], [1, 1], False)
    x = torch.max_pool2d(torch.relu(self.bn2.forward(self.conv2.forward(x))), [2, 2], [2, 2], [0, 0], [1, 1], False)
    return self.fc.forward(torch.flatten(x, 1))
)");
    return b.finish(std::move(m), "small-cnn-" + std::to_string(w));
}

Model makeSmallResNet(const SmallResNetOptions& o) {
    requirePositive("small ResNet", "channels", o.channels);
    requirePositive("small ResNet", "classes", o.classes);
    requirePositive("small ResNet", "baseWidth", o.baseWidth);
    if (o.blocksPerStage < 1 || o.blocksPerStage > 16)
        throw std::invalid_argument("small ResNet: blocksPerStage must be 1..16");
    Builder b(o.seed);
    Module m = b.newModule("SmallResNet");
    const std::int64_t w = o.baseWidth;
    m.register_module("conv1", b.conv(o.channels, w, 3, 1, 1));
    m.register_module("bn1", b.batchNorm(w));
    std::ostringstream src;
    src << "\ndef forward(self, x: Tensor) -> Tensor:\n"
        << "    x = torch.relu(self.bn1.forward(self.conv1.forward(x)))\n";
    std::int64_t in = w;
    for (int stage = 1; stage <= 3; ++stage) {
        const std::int64_t out = w << (stage - 1);
        // A stage is a container of blocks "0", "1", ... like nn.Sequential.
        Module layer = b.newModule("Stage");
        std::ostringstream layerSrc;
        layerSrc << "\ndef forward(self, x: Tensor) -> Tensor:\n";
        for (std::int64_t k = 0; k < o.blocksPerStage; ++k) {
            const std::int64_t stride = (stage > 1 && k == 0) ? 2 : 1;
            layer.register_module(std::to_string(k), basicBlock(b, in, out, stride));
            layerSrc << "    x = getattr(self, \"" << k << "\").forward(x)\n";
            in = out;
        }
        layerSrc << "    return x\n";
        layer.define(layerSrc.str());
        m.register_module("layer" + std::to_string(stage), layer);
        src << "    x = self.layer" << stage << ".forward(x)\n";
    }
    m.register_module("fc", b.linear(in, o.classes));
    src << "    x = torch.flatten(torch.adaptive_avg_pool2d(x, [1, 1]), 1)\n"
        << "    return self.fc.forward(x)\n";
    m.define(src.str());
    return b.finish(std::move(m),
                    "small-resnet-" + std::to_string(w) + "x" + std::to_string(o.blocksPerStage));
}

}  // namespace basin
