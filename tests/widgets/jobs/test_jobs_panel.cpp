// The jobs panel: a cancelled or failed resumable job gets a Resume button that
// runs the same Job object again (the row goes back to running, onFinished is
// called once per run); non-resumable and succeeded jobs get none. And the
// frames export, resumable, continues on the same object after a cancel.

#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QTemporaryDir>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "BasinGuiTest.h"
#include "jobs/JobsPanel.h"
#include "splats/ProceduralAvatar.h"
#include "splats/SplatFramesJob.h"

using namespace basin;
using namespace basin::widgets;

namespace {

// Counts items 0..total-1 into `done`, continuing from where an earlier run on
// the same object stopped (as a real job continues from its files). Its first
// run either spins until cancelled or fails half-way; later runs complete.
class CountingJob : public Job {
public:
    enum class FirstRun { WaitForCancel, Fail, Complete };
    CountingJob(FirstRun first, bool resumable) : first_(first), resumable_(resumable) {}

    std::string title() const override { return "Count to 20"; }
    bool resumable() const override { return resumable_; }
    void run(JobContext& context) override {
        const int run = runs++;
        // Later runs wait while the test holds them (to see the row running).
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (run > 0 && hold && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        for (int i = done.load(); i < total; ++i) {
            context.report(double(i) / total, "item " + std::to_string(i));
            if (run == 0 && i == total / 2) {
                if (first_ == FirstRun::Fail) throw std::runtime_error("disk full");
                if (first_ == FirstRun::WaitForCancel) {
                    while (!context.cancelRequested() && std::chrono::steady_clock::now() < until)
                        std::this_thread::sleep_for(std::chrono::milliseconds(2));
                    context.throwIfCancelled();
                    throw std::runtime_error("never cancelled");
                }
            }
            done = i + 1;
        }
    }

    static constexpr int total = 20;
    std::atomic<int> runs{0};
    std::atomic<int> done{0};
    std::atomic<bool> hold{false};

private:
    FirstRun first_;
    bool resumable_;
};

QWidget* rowAt(JobsPanel& panel, int index) {
    const auto rows = panel.findChildren<QWidget*>(QStringLiteral("jobRow"));
    return index < rows.size() ? rows[index] : nullptr;
}

QPushButton* button(QWidget* row, const char* name) {
    return row ? row->findChild<QPushButton*>(QString::fromLatin1(name)) : nullptr;
}

bool showsResume(QWidget* row) {
    auto* b = button(row, "resumeJob");
    return b && b->isVisible();
}

bool rowSays(QWidget* row, const QString& text) {
    if (!row) return false;
    for (auto* label : row->findChildren<QLabel*>())
        if (label->text().startsWith(text)) return true;
    return false;
}

// Asks to cancel once `cancelAfter` reports have been made (never when < 0).
class Context : public JobContext {
public:
    explicit Context(int cancelAfter = -1) : cancelAfter_(cancelAfter) {}
    void report(double, const std::string&) override { ++reports; }
    bool cancelRequested() const override { return cancelAfter_ >= 0 && reports >= cancelAfter_; }
    int reports = 0;

private:
    int cancelAfter_;
};

SplatFrames turntable(const QString& folder) {
    ProceduralAvatarOptions o;
    o.splatCount = 1000;
    SplatFrames f;
    f.splats = std::make_shared<const RenderSplats>(makeProceduralAvatar(o).restSplats());
    OrbitCamera orbit;
    orbit.target = {0.0f, 0.9f, 0.0f};
    orbit.distance = 3.0f;
    f.cameras = turntableCameras(orbit, 6, 40, 30);
    f.options.threads = 1;
    f.folder = folder;
    return f;
}

QByteArray bytesOf(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

}  // namespace

class TestJobsPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void resumeRunsTheSameJobAgainAfterCancel() {
        JobsPanel panel(2);
        panel.resize(900, 300);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));

        auto job = std::make_shared<CountingJob>(CountingJob::FirstRun::WaitForCancel, true);
        std::vector<JobState> finishes;
        panel.submit(job, [&](const JobStatus& s) { finishes.push_back(s.state); });
        QTRY_COMPARE_WITH_TIMEOUT(job->done.load(), CountingJob::total / 2, 5000);
        QWidget* row = rowAt(panel, 0);
        QVERIFY(row);
        QVERIFY(!showsResume(row));
        QTest::mouseClick(button(row, "cancelJob"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finishes.size(), std::size_t(1), 5000);
        QCOMPARE(finishes[0], JobState::Cancelled);
        QVERIFY(rowSays(row, "cancelled"));
        QTRY_VERIFY_WITH_TIMEOUT(showsResume(row), 5000);
        QVERIFY(!button(row, "cancelJob")->isVisible());
        QCOMPARE(panel.activeCount(), 0);

        job->hold = true;
        QTest::mouseClick(button(row, "resumeJob"), Qt::LeftButton);
        // Back to running: Cancel shown, Resume gone, counted active.
        QVERIFY(!showsResume(row));
        QVERIFY(button(row, "cancelJob")->isVisible());
        QVERIFY(button(row, "cancelJob")->isEnabled());
        QCOMPARE(panel.activeCount(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(job->runs.load(), 2, 5000);
        QCOMPARE(finishes.size(), std::size_t(1));
        job->hold = false;
        QTRY_COMPARE_WITH_TIMEOUT(finishes.size(), std::size_t(2), 5000);
        QCOMPARE(finishes[1], JobState::Succeeded);
        QVERIFY(rowSays(row, "done"));
        QVERIFY(!showsResume(row));
        QCOMPARE(job->runs.load(), 2);
        QCOMPARE(job->done.load(), CountingJob::total);
        QCOMPARE(panel.rowCount(), 1);
        // onFinished once per run: no third call later.
        QTest::qWait(300);
        QCOMPARE(finishes.size(), std::size_t(2));
    }

    void resumeAfterFailure() {
        JobsPanel panel(1);
        panel.show();
        auto job = std::make_shared<CountingJob>(CountingJob::FirstRun::Fail, true);
        int calls = 0;
        JobState last = JobState::Queued;
        panel.submit(job, [&](const JobStatus& s) {
            ++calls;
            last = s.state;
        });
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 5000);
        QCOMPARE(last, JobState::Failed);
        QWidget* row = rowAt(panel, 0);
        QVERIFY(rowSays(row, "failed: disk full"));
        // A row added to the shown panel becomes visible once events run (the
        // job may fail before that).
        QTRY_VERIFY_WITH_TIMEOUT(showsResume(row), 5000);
        QTest::mouseClick(button(row, "resumeJob"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(calls, 2, 5000);
        QCOMPARE(last, JobState::Succeeded);
        QVERIFY(rowSays(row, "done"));
        QCOMPARE(job->done.load(), CountingJob::total);
    }

    void noResumeForNonResumableOrSucceededJobs() {
        JobsPanel panel(2);
        panel.show();
        auto plain = std::make_shared<CountingJob>(CountingJob::FirstRun::WaitForCancel, false);
        auto fine = std::make_shared<CountingJob>(CountingJob::FirstRun::Complete, true);
        int calls = 0;
        panel.submit(plain, [&](const JobStatus&) { ++calls; });
        panel.submit(fine, [&](const JobStatus&) { ++calls; });
        QTRY_COMPARE_WITH_TIMEOUT(plain->done.load(), CountingJob::total / 2, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 5000);  // the complete one
        panel.cancelAll();
        QTRY_COMPARE_WITH_TIMEOUT(calls, 2, 5000);
        QWidget* plainRow = rowAt(panel, 0);
        QWidget* fineRow = rowAt(panel, 1);
        // Shown rows, so that a hidden Resume means no Resume.
        QTRY_VERIFY_WITH_TIMEOUT(plainRow->isVisible() && fineRow->isVisible(), 5000);
        QVERIFY(rowSays(plainRow, "cancelled"));
        QVERIFY(!showsResume(plainRow));
        QVERIFY(rowSays(fineRow, "done"));
        QVERIFY(!showsResume(fineRow));
    }

    void splatFramesResumeOnTheSameObject() {
        QTemporaryDir dir;
        SplatFramesJob whole(turntable(dir.filePath("whole")));
        Context context;
        whole.run(context);
        QCOMPARE(whole.rendered(), std::size_t(6));

        SplatFramesJob job(turntable(dir.filePath("parts")));
        QVERIFY(job.resumable());
        Context cancelling(3);  // one report a frame: stops before the fourth
        QVERIFY_THROWS_EXCEPTION(JobCancelled, job.run(cancelling));
        QCOMPARE(job.rendered(), std::size_t(3));
        Context rest;
        job.run(rest);
        QCOMPARE(job.kept(), std::size_t(3));
        QCOMPARE(job.rendered(), std::size_t(3));
        for (std::size_t k = 0; k < 6; ++k) {
            const QByteArray want = bytesOf(whole.frames().framePath(k));
            QVERIFY(!want.isEmpty());
            QCOMPARE(bytesOf(job.frames().framePath(k)), want);
        }
    }
};

BASIN_GUI_TEST_MAIN(TestJobsPanel)
#include "test_jobs_panel.moc"
