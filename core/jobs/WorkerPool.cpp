#include "jobs/WorkerPool.h"

#include <algorithm>

namespace basin {

WorkerPool::WorkerPool(unsigned threads) {
    threads = std::max(1u, threads);
    workers_.reserve(threads);
    for (unsigned i = 0; i < threads; ++i)
        workers_.emplace_back([this] { workerLoop(); });
}

WorkerPool::~WorkerPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    cancelAll();
    wake_.notify_all();
    for (auto& t : workers_)
        t.join();
}

std::shared_ptr<JobHandle> WorkerPool::submit(std::shared_ptr<Job> job,
                                              JobHandle::Listener listener) {
    auto handle = std::make_shared<JobHandle>(job->title(), std::move(listener));
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) {
            handle->cancel();
            return handle;
        }
        queue_.push_back({std::move(job), handle});
    }
    wake_.notify_one();
    return handle;
}

void WorkerPool::cancelAll() {
    std::vector<std::shared_ptr<JobHandle>> all;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& e : queue_)
            all.push_back(e.handle);
        all.insert(all.end(), running_.begin(), running_.end());
    }
    for (auto& h : all)
        h->cancel();
}

void WorkerPool::workerLoop() {
    for (;;) {
        Entry entry;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and nothing left
            entry = std::move(queue_.front());
            queue_.pop_front();
            running_.push_back(entry.handle);
        }
        runJob(*entry.job, *entry.handle);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            running_.erase(std::find(running_.begin(), running_.end(), entry.handle));
        }
    }
}

}  // namespace basin
