#pragma once
// A fixed set of worker threads that run Jobs in submission order. The GUI
// owns one; the jobs panel shows the handles it returns. Destroying the pool
// cancels what is queued or running and joins the workers.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "jobs/JobHandle.h"

namespace basin {

class WorkerPool {
public:
    explicit WorkerPool(unsigned threads = 1);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    std::shared_ptr<JobHandle> submit(std::shared_ptr<Job> job, JobHandle::Listener listener = {});
    // Cancels every queued and running job.
    void cancelAll();
    unsigned threadCount() const { return static_cast<unsigned>(workers_.size()); }

private:
    struct Entry {
        std::shared_ptr<Job> job;
        std::shared_ptr<JobHandle> handle;
    };
    void workerLoop();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Entry> queue_;
    std::vector<std::shared_ptr<JobHandle>> running_;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace basin
