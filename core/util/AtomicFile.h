#pragma once
// Writes a file so that readers see either the old file or the complete new
// one (DESIGN.md rule 5): the bytes go to a temporary file in the same folder
// ("name.tmp-XXXXXX"), which commit() flushes to disk and renames over the
// target. If commit() is never reached (an exception, a cancel), the
// destructor removes the temporary file and the target is untouched.
//
//   AtomicFile out(path);
//   out.write(header.data(), header.size());
//   out.write(data, size);
//   out.commit();

#include <cstddef>
#include <string>

namespace basin {

class AtomicFile {
public:
    // Creates the temporary file; throws std::runtime_error naming `path`.
    explicit AtomicFile(std::string path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    // Throws std::runtime_error naming the target on a failed write (disk full).
    void write(const void* data, std::size_t size);
    // Flushes, syncs and renames over the target; throws on failure.
    void commit();

    // The temporary file's path (for writers that hand it to a library).
    const std::string& temporaryPath() const { return temporary_; }

private:
    [[noreturn]] void fail(const std::string& what);

    std::string path_;
    std::string temporary_;
    int fd_ = -1;
    bool committed_ = false;
};

}  // namespace basin
