#include "util/MappedFile.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace basin {

MappedFile mapFile(const std::string& path) {
    auto fail = [&](const std::string& what) {
        throw std::runtime_error("cannot " + what + " '" + path + "': " + std::strerror(errno));
    };
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("open");
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const int saved = errno;
        ::close(fd);
        errno = saved;
        fail("inspect");
    }
    if (!S_ISREG(info.st_mode)) {
        ::close(fd);
        throw std::runtime_error("cannot read '" + path + "': not a regular file");
    }
    MappedFile file;
    file.size = std::size_t(info.st_size);
    if (file.size == 0) {
        ::close(fd);
        return file;
    }
    void* map = ::mmap(nullptr, file.size, PROT_READ, MAP_PRIVATE, fd, 0);
    const int saved = errno;
    ::close(fd);  // the map keeps the file alive
    if (map == MAP_FAILED) {
        errno = saved;
        fail("map");
    }
    const std::size_t size = file.size;
    file.data = static_cast<const std::uint8_t*>(map);
    file.owner = std::shared_ptr<void>(map, [size](void* p) { ::munmap(p, size); });
    return file;
}

}  // namespace basin
