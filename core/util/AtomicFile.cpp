#include "util/AtomicFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace basin {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
    std::vector<char> name(path_.begin(), path_.end());
    const char suffix[] = ".tmp-XXXXXX";
    name.insert(name.end(), suffix, suffix + sizeof(suffix));  // with the NUL
    fd_ = ::mkstemp(name.data());
    if (fd_ < 0) fail("create a temporary file for");
    temporary_ = name.data();
    // mkstemp makes the file private (0600); give it the usual permissions.
    ::fchmod(fd_, 0644);
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !temporary_.empty()) ::unlink(temporary_.c_str());
}

void AtomicFile::fail(const std::string& what) {
    throw std::runtime_error("cannot " + what + " '" + path_ + "': " + std::strerror(errno));
}

void AtomicFile::write(const void* data, std::size_t size) {
    if (fd_ < 0) throw std::logic_error("AtomicFile::write after commit");
    const auto* p = static_cast<const std::uint8_t*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd_, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write");
        }
        p += n;
        size -= std::size_t(n);
    }
}

void AtomicFile::commit() {
    if (fd_ < 0) throw std::logic_error("AtomicFile::commit called twice");
    if (::fsync(fd_) != 0) fail("flush");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("close");
    if (::rename(temporary_.c_str(), path_.c_str()) != 0) fail("replace");
    committed_ = true;
}

}  // namespace basin
