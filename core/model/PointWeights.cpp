#include "model/PointWeights.h"

#include <filesystem>
#include <stdexcept>

namespace basin {

namespace fs = std::filesystem;

std::string findResultReference(const std::string& reference, const std::string& resultPath,
                                const std::string& what) {
    const std::string& result = resultPath;
    if (reference.empty())
        throw std::runtime_error("'" + result + "' does not name its " + what +
                                 " (it was not written by Basin)");
    const fs::path ref(reference);
    const fs::path folder = fs::absolute(fs::path(resultPath)).parent_path();
    std::error_code ec;
    auto found = [&ec](const fs::path& p) { return fs::is_regular_file(p, ec); };
    if (found(ref)) return ref.string();
    if (ref.is_relative()) {
        for (fs::path dir = folder; !dir.empty(); dir = dir.parent_path()) {
            if (found(dir / ref)) return (dir / ref).string();
            if (dir == dir.root_path()) break;
        }
    }
    if (found(folder / ref.filename())) return (folder / ref.filename()).string();
    throw std::runtime_error(
        "'" + result + "' names its " + what + " '" + reference + "', which is not there" +
        (ref.is_relative() ? " (looked in the current folder, in '" + folder.string() +
                                 "' and the folders above it)"
                           : " nor in '" + folder.string() + "'"));
}

}  // namespace basin
