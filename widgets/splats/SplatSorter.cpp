#include "splats/SplatSorter.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "splats/DepthSort.h"

namespace basin::widgets {
namespace {

constexpr float kMaxTurnDegrees = 0.25f;
constexpr float kMaxMoveFraction = 0.0025f;

float distance(const SplatVec3& a, const SplatVec3& b) {
    const float dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return std::sqrt(dx * dx + dy * dy + dz * dz);
}

}  // namespace

SplatSorter::SplatSorter(std::function<void()> finished)
    : m_finished(std::move(finished)), m_thread([this] { run(); }) {}

SplatSorter::~SplatSorter() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void SplatSorter::setCentres(std::shared_ptr<const std::vector<float>> centres) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_centres = std::move(centres);
    m_centresChanged = true;
}

bool SplatSorter::movedEnough(const SplatCamera& sorted, const SplatCamera& now) {
    const std::array<float, 9> a = sorted.rotation(), b = now.rotation();
    const float cosTurn = a[6] * b[6] + a[7] * b[7] + a[8] * b[8];
    if (cosTurn < std::cos(kMaxTurnDegrees * 3.14159265f / 180.0f)) return true;
    const float reach = std::max(distance(sorted.position, sorted.target), 1e-6f);
    return distance(sorted.position, now.position) > kMaxMoveFraction * reach;
}

bool SplatSorter::request(const SplatCamera& camera) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_centres) return false;
        if (!m_centresChanged && m_hasSorted && !movedEnough(m_sortedCamera, camera)) return false;
        m_centresChanged = false;
        m_hasSorted = true;
        m_sortedCamera = camera;
        m_pendingCamera = camera;
        m_pending = true;
    }
    m_wake.notify_all();
    return true;
}

bool SplatSorter::takeResult(std::vector<std::uint32_t>* order, SplatCamera* camera) {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_hasResult) return false;
    order->swap(m_result);
    if (camera) *camera = m_resultCamera;
    m_hasResult = false;
    return true;
}

bool SplatSorter::busy() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_pending || m_running;
}

bool SplatSorter::waitIdle(int timeoutMs) {
    std::unique_lock<std::mutex> lock(m_mutex);
    return m_idle.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                           [this] { return !m_pending && !m_running; });
}

double SplatSorter::lastSortMs() const {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_lastSortMs;
}

void SplatSorter::run() {
    std::vector<std::uint32_t> order;
    std::vector<std::uint64_t> scratch;
    for (;;) {
        std::shared_ptr<const std::vector<float>> centres;
        SplatCamera camera;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stop || m_pending; });
            if (m_stop) return;
            m_pending = false;
            m_running = true;
            centres = m_centres;
            camera = m_pendingCamera;
        }
        const auto start = std::chrono::steady_clock::now();
        const std::size_t n = centres->size() / 3;
        const std::vector<float> depths = viewDepths(centres->data(), n, camera);
        depthOrder(depths.data(), n, order, scratch);
        std::reverse(order.begin(), order.end());  // far to near
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_result.swap(order);
            m_resultCamera = camera;
            m_hasResult = true;
            m_lastSortMs = ms;
        }
        if (m_finished) m_finished();
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_running = false;  // after `finished`, so waitIdle() also waits for it
        }
        m_idle.notify_all();
    }
}

}  // namespace basin::widgets
