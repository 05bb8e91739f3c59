// The Job mechanism: progress, cancellation within about a second, errors as
// messages, the worker pool, and the file fingerprint job that uses it.

#include <QTemporaryDir>
#include <atomic>
#include <chrono>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

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

std::vector<Sha256::Implementation> availableSha256Implementations() {
    std::vector<Sha256::Implementation> all;
    for (const auto i : {Sha256::Implementation::Portable, Sha256::Implementation::ShaExtensions}) {
        if (Sha256::isAvailable(i)) all.push_back(i);
    }
    return all;
}

std::string hexToBytes(const std::string& hex) {
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        bytes.push_back(char(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return bytes;
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

    // NIST's vectors through every block function this CPU has: the two-block
    // 896-bit message (FIPS 180-2 examples), the first SHA256LongMsg.rsp
    // vector (CAVP SHAVS, 1304 bits) and, through the automatic choice only
    // (1 GiB), the "extremely long message".
    void sha256NistLongMessages() {
        const std::string twoBlocks =
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
            "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
        const std::string longMsg1304 = hexToBytes(
            "451101250ec6f26652249d59dc974b7361d571a8101cdfd36aba3b5854d3ae086b5fdd4597721b66e3c0"
            "dc5d8c606d9657d0e323283a5217d1f53f2f284f57b85c8a61ac8924711f895c5ed90ef17745ed2d728a"
            "bd22a5f7a13479a462d71b56c19a74a40b655c58edfe0a188ad2cf46cbf30524f65d423c837dd1ff2bf4"
            "62ac4198007345bb44dbb7b1c861298cdf61982a833afc728fae1eda2f87aa2c9480858bec");
        QCOMPARE(longMsg1304.size(), std::size_t(1304 / 8));
        for (const auto implementation : availableSha256Implementations()) {
            const auto hashOf = [&](const std::string& s) {
                Sha256 h(implementation);
                h.update(s.data(), s.size());
                return h.hexDigest();
            };
            QCOMPARE(
                hashOf(twoBlocks),
                std::string("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
            QCOMPARE(
                hashOf(longMsg1304),
                std::string("3c593aa539fdcdae516cdf2f15000f6634185c88f505b39775fb9ab137a10aa2"));
        }

        std::string chunk;
        for (int i = 0; i < 16384; ++i)
            chunk += "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno";
        Sha256 h;
        for (int i = 0; i < 16777216 / 16384; ++i)
            h.update(chunk.data(), chunk.size());
        QCOMPARE(h.hexDigest(),
                 std::string("50e72a0e26442fe2552dc3938ac58658228c0cbfb1d2ca872ae435266fcd055e"));
    }

    // The block functions against each other: random contents of every length
    // from 0 to 300 bytes (0 to 5 blocks, every padding case), whole and fed in
    // random pieces.
    void sha256ImplementationsAgree() {
        const auto implementations = availableSha256Implementations();
        QCOMPARE(implementations.front(), Sha256::Implementation::Portable);
        QVERIFY(Sha256().implementation() != Sha256::Implementation::Automatic);
        if (implementations.size() < 2) qInfo("no SHA extensions here: only the portable path ran");
        std::mt19937 random(20261127);
        std::uniform_int_distribution<int> byte(0, 255);
        for (int round = 0; round < 20; ++round) {
            for (std::size_t length = 0; length <= 300; ++length) {
                std::string data(length, '\0');
                for (char& c : data)
                    c = char(byte(random));
                std::vector<std::string> whole, pieces;
                for (const auto implementation : implementations) {
                    Sha256 one(implementation);
                    one.update(data.data(), data.size());
                    whole.push_back(one.hexDigest());
                    Sha256 split(implementation);
                    for (std::size_t at = 0; at < length;) {
                        const std::size_t n = std::min<std::size_t>(
                            length - at,
                            std::uniform_int_distribution<std::size_t>(0, 130)(random));
                        split.update(data.data() + at, n);
                        at += n;
                    }
                    pieces.push_back(split.hexDigest());
                }
                for (std::size_t i = 0; i < whole.size(); ++i) {
                    QCOMPARE(whole[i], whole[0]);
                    QCOMPARE(pieces[i], whole[0]);
                }
            }
        }
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
        std::ofstream(big, std::ios::binary) << std::string(16u << 20, 'x');
        // A context that asks to cancel as soon as the job reports work on the
        // big file (unthrottled, so the test does not depend on hashing speed).
        struct CancelOnBig : JobContext {
            void report(double, const std::string& message) override {
                if (message.find("big") != std::string::npos) cancel = true;
            }
            bool cancelRequested() const override { return cancel; }
            bool cancel = false;
        } context;
        FingerprintJob job({small, big});
        QVERIFY_THROWS_EXCEPTION(JobCancelled, job.run(context));
        QCOMPARE(job.results().size(), std::size_t(1));
        QCOMPARE(job.results()[0].path, small);
    }
};

BASIN_TEST_MAIN(TestJobs)
#include "test_jobs.moc"
