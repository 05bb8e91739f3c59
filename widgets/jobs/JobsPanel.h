#pragma once
// The jobs panel: runs Jobs on a worker pool off the GUI thread and shows one
// row per job with its title, a progress bar, the latest message and a Cancel
// button. Finished jobs stay listed with their outcome (the error sentence for
// a failed one) until cleared. A cancelled or failed job that is resumable()
// gets a Resume button, which runs the same Job object again on the pool (it
// continues from the partial results it wrote) with the same onFinished, so
// onFinished is called once per run. Status is polled from the job handles on
// the GUI thread, so no worker thread ever touches a widget.

#include <QHash>
#include <QTimer>
#include <QWidget>
#include <functional>
#include <memory>

#include "jobs/WorkerPool.h"

class QPushButton;
class QVBoxLayout;

namespace basin::widgets {

class JobRow;

class JobsPanel : public QWidget {
    Q_OBJECT
public:
    // Called on the GUI thread once the job has finished (any final state);
    // once per run when the job is resumed.
    using Finished = std::function<void(const JobStatus&)>;

    explicit JobsPanel(unsigned threads, QWidget* parent = nullptr);
    ~JobsPanel() override;

    std::shared_ptr<JobHandle> submit(std::shared_ptr<Job> job, Finished onFinished = {});
    int activeCount() const;
    // Rows currently shown (active and finished), for tests and the status bar.
    int rowCount() const { return rows_.size(); }
    void cancelAll();
    void clearFinished();

Q_SIGNALS:
    void jobFinished(const QString& title, int state, const QString& error);
    void activeCountChanged(int active);

private:
    void poll();
    void resume(JobRow* row);

    QVBoxLayout* list_ = nullptr;
    QPushButton* clearButton_ = nullptr;
    QTimer timer_;
    QList<JobRow*> rows_;
    int lastActive_ = 0;
    // Declared last: destroyed first, cancelling and joining the workers while
    // the rows still exist.
    std::unique_ptr<WorkerPool> pool_;
};

}  // namespace basin::widgets
