// The Job mechanism: progress, cancellation within about a second, errors as
// messages, the worker pool, and the file fingerprint job that uses it.

#include <QTemporaryDir>
#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "BasinTest.h"
#include "io/FileFingerprint.h"
#include "jobs/WorkerPool.h"
#include "util/Sha256.h"

using namespace basin;
using namespace std::chrono_literals;

namespace {

// Spins in small steps until cancelled or `steps` are done.
class StepJob : public Job {
public:
    explicit StepJob(int steps, std::chrono::milliseconds step = 5ms)
        : steps_(steps), step_(step) {}
    std::string title() const override { return "steps"; }
    void run(JobContext& ctx) override {
        for (int i = 0; i < steps_; ++i) {
            ctx.throwIfCancelled();
            std::this_thread::sleep_for(step_);
            done.store(i + 1);
            ctx.report(double(i + 1) / steps_, "step " + std::to_string(i + 1));
        }
    }
    std::atomic<int> done{0};

private:
    int steps_;
    std::chrono::milliseconds step_;
};

class FailingJob : public Job {
public:
    std::string title() const override { return "fails"; }
    void run(JobContext&) override {
        throw std::runtime_error("tensor 'fc.weight': expected [10, 512], got [10, 256]");
    }
};

std::string sha256Of(const std::string& s) {
    Sha256 h;
    h.update(s.data(), s.size());
    return h.hexDigest();
}

}  // namespace

class TestJobs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sha256KnownVectors() {
        // FIPS 180-4 examples.
        QCOMPARE(sha256Of(""),
                 std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        QCOMPARE(sha256Of("abc"),
                 std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        QCOMPARE(sha256Of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                 std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
        // A million 'a's fed in odd-sized pieces exercises the buffering.
        Sha256 h;
        const std::string chunk(997, 'a');
        std::size_t left = 1000000;
        while (left > 0) {
            const std::size_t n = std::min(left, chunk.size());
            h.update(chunk.data(), n);
            left -= n;
        }
        QCOMPARE(h.hexDigest(),
                 std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    void runOnCallingThreadSucceedsWithProgress() {
        StepJob job(10, 1ms);
        std::vector<double> fractions;
        JobHandle handle(job.title(),
                         [&](const JobStatus& s) { fractions.push_back(s.progress.fraction); });
        const JobStatus st = runJob(job, handle);
        QCOMPARE(st.state, JobState::Succeeded);
        QCOMPARE(st.progress.fraction, 1.0);
        QCOMPARE(job.done.load(), 10);
        QVERIFY(!fractions.empty());
        QVERIFY(std::is_sorted(fractions.begin(), fractions.end()));
    }

    void errorBecomesMessage() {
        FailingJob job;
        JobHandle handle(job.title());
        const JobStatus st = runJob(job, handle);
        QCOMPARE(st.state, JobState::Failed);
        QVERIFY(st.error.find("fc.weight") != std::string::npos);
        QVERIFY(st.error.find("[10, 256]") != std::string::npos);
    }

    void cancelRunningJobStopsWithinASecond() {
        WorkerPool pool(1);
        auto job = std::make_shared<StepJob>(100000, 10ms);
        auto handle = pool.submit(job);
        while (job->done.load() < 3)
            std::this_thread::sleep_for(1ms);
        const auto t0 = std::chrono::steady_clock::now();
        handle->cancel();
        QVERIFY(handle->waitFor(1s));
        const auto waited = std::chrono::steady_clock::now() - t0;
        QVERIFY(waited < 1s);
        QCOMPARE(handle->status().state, JobState::Cancelled);
        QVERIFY(job->done.load() < 100000);
    }

    void cancelQueuedJobNeverRuns() {
        WorkerPool pool(1);
        auto first = std::make_shared<StepJob>(50, 5ms);
        auto second = std::make_shared<StepJob>(50, 5ms);
        auto h1 = pool.submit(first);
        auto h2 = pool.submit(second);
        h2->cancel();
        QCOMPARE(h2->status().state, JobState::Cancelled);
        QCOMPARE(h1->wait().state, JobState::Succeeded);
        QCOMPARE(second->done.load(), 0);
    }

    void poolRunsJobsConcurrently() {
        // Each job waits until the other has started: only possible when the
        // two run at the same time.
        WorkerPool pool(2);
        QCOMPARE(pool.threadCount(), 2u);
        std::atomic<int> started{0};
        struct Rendezvous : Job {
            explicit Rendezvous(std::atomic<int>& s) : started(s) {}
            std::string title() const override { return "rendezvous"; }
            void run(JobContext& ctx) override {
                started.fetch_add(1);
                const auto deadline = std::chrono::steady_clock::now() + 10s;
                while (started.load() < 2) {
                    ctx.throwIfCancelled();
                    if (std::chrono::steady_clock::now() > deadline)
                        throw std::runtime_error("alone");
                    std::this_thread::sleep_for(1ms);
                }
            }
            std::atomic<int>& started;
        };
        auto ha = pool.submit(std::make_shared<Rendezvous>(started));
        auto hb = pool.submit(std::make_shared<Rendezvous>(started));
        QCOMPARE(ha->wait().state, JobState::Succeeded);
        QCOMPARE(hb->wait().state, JobState::Succeeded);
    }

    void destroyingPoolCancelsEverything() {
        std::shared_ptr<JobHandle> running, queued;
        {
            WorkerPool pool(1);
            auto job = std::make_shared<StepJob>(100000, 5ms);
            running = pool.submit(job);
            queued = pool.submit(std::make_shared<StepJob>(10));
            while (job->done.load() < 1)
                std::this_thread::sleep_for(1ms);
        }
        QCOMPARE(running->status().state, JobState::Cancelled);
        QCOMPARE(queued->status().state, JobState::Cancelled);
    }

    void fingerprintMatchesIndependentHash() {
        QTemporaryDir dir;
        const std::string a = (dir.path() + "/a.bin").toStdString();
        const std::string b = (dir.path() + "/b.bin").toStdString();
        std::string content(9u << 20, '\0');  // > two 4 MiB chunks
        for (std::size_t i = 0; i < content.size(); ++i)
            content[i] = char((i * 2654435761u) >> 13);
        std::ofstream(a, std::ios::binary).write(content.data(), content.size());
        std::ofstream(b, std::ios::binary) << "abc";
        FingerprintJob job({a, b});
        JobHandle handle(job.title());
        QCOMPARE(runJob(job, handle).state, JobState::Succeeded);
        QCOMPARE(job.results().size(), std::size_t(2));
        QCOMPARE(job.results()[0].size, std::uint64_t(content.size()));
        QCOMPARE(job.results()[0].sha256, sha256Of(content));
        QCOMPARE(job.results()[1].sha256,
                 std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }

    void fingerprintMissingFileNamesIt() {
        FingerprintJob job({"/nonexistent/model.pt"});
        JobHandle handle(job.title());
        const JobStatus st = runJob(job, handle);
        QCOMPARE(st.state, JobState::Failed);
        QVERIFY(st.error.find("/nonexistent/model.pt") != std::string::npos);
    }

    void fingerprintCancelKeepsFinishedFiles() {
        QTemporaryDir dir;
        const std::string small = (dir.path() + "/small.bin").toStdString();
        const std::string big = (dir.path() + "/big.bin").toStdString();
        std::ofstream(small, std::ios::binary) << "abc";
        std::ofstream(big, std::ios::binary) << std::string(64u << 20, 'x');
        FingerprintJob job({small, big});
        JobHandle handle(job.title(), [&](const JobStatus& s) {
            if (s.progress.message.find("big") != std::string::npos) handle.cancel();
        });
        QCOMPARE(runJob(job, handle).state, JobState::Cancelled);
        QCOMPARE(job.results().size(), std::size_t(1));
        QCOMPARE(job.results()[0].path, small);
    }
};

BASIN_TEST_MAIN(TestJobs)
#include "test_jobs.moc"
