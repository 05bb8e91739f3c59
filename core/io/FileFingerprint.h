#pragma once
// Content fingerprints (size + SHA-256) of the files a project refers to.
// A result records the fingerprints of the checkpoints and data it was
// computed from; when a file changes, the project can say which results are
// stale instead of silently showing them.

#include <cstdint>
#include <string>
#include <vector>

#include "jobs/Job.h"

namespace basin {

struct FileFingerprint {
    std::string path;
    std::uint64_t size = 0;
    std::string sha256;  // lower-case hex
};

// Hashes files in 4 MiB chunks, reporting bytes done over bytes total and
// checking for cancellation after every chunk. Files finished before a cancel
// keep their fingerprints in results().
class FingerprintJob : public Job {
public:
    explicit FingerprintJob(std::vector<std::string> paths);
    std::string title() const override;
    void run(JobContext& context) override;
    const std::vector<FileFingerprint>& results() const { return results_; }

private:
    std::vector<std::string> paths_;
    std::vector<FileFingerprint> results_;
};

}  // namespace basin
