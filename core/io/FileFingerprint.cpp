#include "io/FileFingerprint.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "util/Sha256.h"

namespace basin {
namespace fs = std::filesystem;

FingerprintJob::FingerprintJob(std::vector<std::string> paths) : paths_(std::move(paths)) {}

std::string FingerprintJob::title() const {
    if (paths_.size() == 1) return "Fingerprint " + fs::path(paths_.front()).filename().string();
    return "Fingerprint " + std::to_string(paths_.size()) + " files";
}

void FingerprintJob::run(JobContext& context) {
    std::uint64_t total = 0;
    std::vector<std::uint64_t> sizes;
    for (const auto& p : paths_) {
        std::error_code ec;
        if (!fs::is_regular_file(p, ec)) {
            throw std::runtime_error("cannot fingerprint '" + p + "': not a readable regular file");
        }
        sizes.push_back(fs::file_size(p, ec));
        if (ec) throw std::runtime_error("cannot fingerprint '" + p + "': " + ec.message());
        total += sizes.back();
    }
    results_.clear();
    constexpr std::size_t kChunk = 4u << 20;
    std::unique_ptr<char[]> buffer(new char[kChunk]);
    std::uint64_t done = 0;
    for (std::size_t i = 0; i < paths_.size(); ++i) {
        const std::string& p = paths_[i];
        std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(p.c_str(), "rb"), &std::fclose);
        if (!file) throw std::runtime_error("cannot open '" + p + "': " + std::strerror(errno));
        Sha256 hash;
        std::uint64_t read = 0;
        const std::string name = fs::path(p).filename().string();
        for (;;) {
            context.throwIfCancelled();
            const std::size_t n = std::fread(buffer.get(), 1, kChunk, file.get());
            if (n > 0) hash.update(buffer.get(), n);
            read += n;
            done += n;
            context.report(total ? double(done) / double(total) : 1.0, "hashing " + name);
            if (n < kChunk) break;
        }
        if (std::ferror(file.get())) {
            throw std::runtime_error("read error in '" + p + "' after " + std::to_string(read) +
                                     " bytes");
        }
        if (read != sizes[i]) {
            throw std::runtime_error("'" + p + "' changed size while being read (" +
                                     std::to_string(sizes[i]) + " -> " + std::to_string(read) +
                                     " bytes)");
        }
        results_.push_back({p, read, hash.hexDigest()});
    }
}

}  // namespace basin
