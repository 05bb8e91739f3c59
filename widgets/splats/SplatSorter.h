#pragma once
// The drawing order of the GL splat renderer, computed on a worker thread so
// that a million splats never stall a frame: view depths of the centres and
// their radix sort (core/splats/DepthSort.h), handed back far to near for
// back-to-front blending.
//
// The order is recomputed only when the view changed enough since the last
// sort (movedEnough: the forward axis turned by more than ~0.25° or the eye
// moved by more than 0.25% of its distance to the target), or when the splats
// changed; while the worker sorts, frames keep the previous order. A request
// that arrives while a sort runs is remembered and started when it finishes,
// so the last view always gets its own order.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "splats/SplatCamera.h"

namespace basin::widgets {

class SplatSorter {
public:
    // `finished` runs on the worker thread after each sort (e.g. to schedule
    // a repaint); it must not call back into the sorter.
    explicit SplatSorter(std::function<void()> finished = {});
    ~SplatSorter();
    SplatSorter(const SplatSorter&) = delete;
    SplatSorter& operator=(const SplatSorter&) = delete;

    // The centres ([x y z] × n) to sort from now on; the next request sorts
    // whatever the camera.
    void setCentres(std::shared_ptr<const std::vector<float>> centres);

    // Asks for the order seen from `camera`: starts (or queues) a sort when the
    // centres changed or the camera moved enough since the last sorted one.
    // Returns whether a sort was started or queued.
    bool request(const SplatCamera& camera);

    // Moves the newest finished order (indices far to near) into `order` and
    // returns true, once per finished sort; `camera` receives the camera it
    // was sorted for.
    bool takeResult(std::vector<std::uint32_t>* order, SplatCamera* camera = nullptr);

    // True while a sort runs or waits to run.
    bool busy() const;
    // Blocks until no sort runs or waits, at most `timeoutMs`; true when idle.
    bool waitIdle(int timeoutMs);
    // Wall time of the last sort in milliseconds (depths + radix sort).
    double lastSortMs() const;

    // Whether a view from `now` needs a new order compared with `sorted`.
    static bool movedEnough(const SplatCamera& sorted, const SplatCamera& now);

private:
    void run();

    std::function<void()> m_finished;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake, m_idle;
    std::shared_ptr<const std::vector<float>> m_centres;
    bool m_centresChanged = true;
    bool m_pending = false, m_running = false, m_stop = false;
    SplatCamera m_pendingCamera;
    bool m_hasSorted = false;
    SplatCamera m_sortedCamera;  // the camera of the last request that sorted
    bool m_hasResult = false;
    std::vector<std::uint32_t> m_result;
    SplatCamera m_resultCamera;
    double m_lastSortMs = 0;
    std::thread m_thread;
};

}  // namespace basin::widgets
