#include "jobs/JobsPanel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace basin::widgets {

// One job's row. It keeps the Job itself, so that a resumable job that was
// cancelled or failed can run again (a new handle, the same object).
class JobRow : public QWidget {
public:
    JobRow(std::shared_ptr<Job> job, std::shared_ptr<JobHandle> handle,
           JobsPanel::Finished onFinished)
        : job_(std::move(job)), handle_(std::move(handle)), onFinished_(std::move(onFinished)) {
        setObjectName(QStringLiteral("jobRow"));
        auto* layout = new QHBoxLayout(this);
        layout->setContentsMargins(4, 2, 4, 2);
        title_ = new QLabel(QString::fromStdString(handle_->title()));
        title_->setMinimumWidth(180);
        bar_ = new QProgressBar;
        bar_->setRange(0, 1000);
        bar_->setTextVisible(true);
        bar_->setMaximumWidth(260);
        message_ = new QLabel;
        message_->setTextInteractionFlags(Qt::TextSelectableByMouse);
        cancel_ = new QPushButton(tr("Cancel"));
        cancel_->setObjectName(QStringLiteral("cancelJob"));
        resume_ = new QPushButton(tr("Resume"));
        resume_->setObjectName(QStringLiteral("resumeJob"));
        resume_->setToolTip(tr("Run the job again; it continues from what it has written"));
        resume_->hide();
        layout->addWidget(title_);
        layout->addWidget(bar_);
        layout->addWidget(message_, 1);
        layout->addWidget(cancel_);
        layout->addWidget(resume_);
        QObject::connect(cancel_, &QPushButton::clicked, this, [this] {
            handle_->cancel();
            cancel_->setEnabled(false);
            cancel_->setText(tr("Cancelling…"));
        });
        // No refresh() here: the panel's poll() must see the job finish, or a
        // job that ends before its row exists would never be reported.
    }

    // Updates the widgets; returns true when the job has just finished.
    bool refresh() {
        if (finished_) return false;
        const JobStatus s = handle_->status();
        bar_->setValue(int(s.progress.fraction * 1000));
        bar_->setFormat(QStringLiteral("%1%").arg(s.progress.fraction * 100, 0, 'f', 0));
        if (!isFinished(s.state)) {
            message_->setText(QString::fromStdString(s.progress.message));
            return false;
        }
        finished_ = true;
        cancel_->hide();
        // By now run() has returned: the runner records the final state only
        // after it, so running the object again cannot overlap the first run.
        resume_->setVisible(s.state != JobState::Succeeded && job_->resumable());
        switch (s.state) {
            case JobState::Succeeded:
                message_->setText(tr("done"));
                break;
            case JobState::Cancelled:
                message_->setText(tr("cancelled"));
                break;
            default:
                message_->setText(tr("failed: %1").arg(QString::fromStdString(s.error)));
                message_->setStyleSheet(QStringLiteral("color: #b00020"));
                message_->setWordWrap(true);
                break;
        }
        if (onFinished_) onFinished_(s);
        return true;
    }

    // Shows the row running again under the handle of the job's next run.
    void restart(std::shared_ptr<JobHandle> handle) {
        handle_ = std::move(handle);
        finished_ = false;
        resume_->hide();
        cancel_->setEnabled(true);
        cancel_->setText(tr("Cancel"));
        cancel_->show();
        message_->setStyleSheet(QString());
        message_->setWordWrap(false);
        message_->setText(tr("resuming"));
    }

    bool finished() const { return finished_; }
    const std::shared_ptr<Job>& job() const { return job_; }
    const std::shared_ptr<JobHandle>& handle() const { return handle_; }
    QPushButton* resumeButton() const { return resume_; }

private:
    std::shared_ptr<Job> job_;
    std::shared_ptr<JobHandle> handle_;
    JobsPanel::Finished onFinished_;
    QLabel* title_;
    QProgressBar* bar_;
    QLabel* message_;
    QPushButton* cancel_;
    QPushButton* resume_;
    bool finished_ = false;
};

JobsPanel::JobsPanel(unsigned threads, QWidget* parent)
    : QWidget(parent), pool_(std::make_unique<WorkerPool>(threads)) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto* scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    auto* inner = new QWidget;
    list_ = new QVBoxLayout(inner);
    list_->setContentsMargins(0, 0, 0, 0);
    list_->setSpacing(0);
    list_->addStretch(1);
    scroll->setWidget(inner);
    outer->addWidget(scroll, 1);
    auto* buttons = new QHBoxLayout;
    buttons->setContentsMargins(4, 0, 4, 4);
    clearButton_ = new QPushButton(tr("Clear finished"));
    auto* cancelAllButton = new QPushButton(tr("Cancel all"));
    buttons->addStretch(1);
    buttons->addWidget(cancelAllButton);
    buttons->addWidget(clearButton_);
    outer->addLayout(buttons);
    connect(clearButton_, &QPushButton::clicked, this, &JobsPanel::clearFinished);
    connect(cancelAllButton, &QPushButton::clicked, this, &JobsPanel::cancelAll);
    timer_.setInterval(100);
    connect(&timer_, &QTimer::timeout, this, &JobsPanel::poll);
}

JobsPanel::~JobsPanel() {
    pool_.reset();
}

std::shared_ptr<JobHandle> JobsPanel::submit(std::shared_ptr<Job> job, Finished onFinished) {
    auto handle = pool_->submit(job);
    auto* row = new JobRow(std::move(job), handle, std::move(onFinished));
    connect(row->resumeButton(), &QPushButton::clicked, this, [this, row] { resume(row); });
    list_->insertWidget(list_->count() - 1, row);
    rows_.push_back(row);
    timer_.start();
    poll();
    return handle;
}

void JobsPanel::resume(JobRow* row) {
    if (!rows_.contains(row) || !row->finished() || !row->job()->resumable()) return;
    row->restart(pool_->submit(row->job()));
    timer_.start();
    poll();
}

int JobsPanel::activeCount() const {
    int n = 0;
    for (auto* row : rows_)
        n += row->finished() ? 0 : 1;
    return n;
}

void JobsPanel::cancelAll() {
    pool_->cancelAll();
}

void JobsPanel::clearFinished() {
    for (auto it = rows_.begin(); it != rows_.end();) {
        if ((*it)->finished()) {
            (*it)->deleteLater();
            it = rows_.erase(it);
        } else {
            ++it;
        }
    }
}

void JobsPanel::poll() {
    for (auto* row : rows_) {
        if (row->refresh()) {
            const JobStatus s = row->handle()->status();
            Q_EMIT jobFinished(QString::fromStdString(row->handle()->title()), int(s.state),
                               QString::fromStdString(s.error));
        }
    }
    const int active = activeCount();
    if (active != lastActive_) {
        lastActive_ = active;
        Q_EMIT activeCountChanged(active);
    }
    if (active == 0) timer_.stop();
}

}  // namespace basin::widgets
