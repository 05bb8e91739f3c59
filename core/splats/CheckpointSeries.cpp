#include "splats/CheckpointSeries.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <system_error>

namespace basin {

const CheckpointSeriesEntry* CheckpointSeries::find(std::int64_t iteration) const {
    for (const auto& e : entries) {
        if (e.iteration == iteration) return &e;
    }
    return nullptr;
}

CheckpointSeries listCheckpointSeries(const std::string& folder) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw std::runtime_error(folder +
                                 ": not a folder (expected a 3DGS run folder holding "
                                 "point_cloud/iteration_N/point_cloud.ply)");
    fs::path root(folder);
    if (fs::is_directory(root / "point_cloud", ec)) root /= "point_cloud";
    CheckpointSeries series;
    series.folder = root.string();
    constexpr std::string_view prefix = "iteration_";
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
        const char* first = name.data() + prefix.size();
        const char* last = name.data() + name.size();
        std::int64_t iteration = 0;
        const auto [stop, error] = std::from_chars(first, last, iteration);
        if (error != std::errc() || stop != last || *first == '-') continue;
        const fs::path ply = it->path() / "point_cloud.ply";
        std::error_code fileError;
        if (!fs::is_regular_file(ply, fileError)) continue;
        series.entries.push_back({iteration, ply.string()});
    }
    if (ec) throw std::runtime_error(root.string() + ": cannot list the folder: " + ec.message());
    std::sort(series.entries.begin(), series.entries.end(),
              [](const auto& a, const auto& b) { return a.iteration < b.iteration; });
    return series;
}

}  // namespace basin
