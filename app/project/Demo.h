#pragma once
// The built-in demo as a project: core writes the files (datasets, zoo models,
// per-epoch checkpoints of two seeds; core/zoo/DemoProject.h), this turns them
// into a .basin project with views, and runs the writing as a Job.

#include <QString>

#include "jobs/Job.h"
#include "project/Project.h"
#include "zoo/DemoProject.h"

namespace basin::app {

// Where `basin demo` writes by default (the user's data folder).
QString defaultDemoDir();

// Smaller sizes for a demo in seconds (tests, slow machines).
DemoOptions quickDemoOptions();

// The project for a written demo: every dataset, model and checkpoint, the
// probe on the last checkpoint of the first run, and views comparing that
// run's last and first epochs, the two seeds' last epochs, and the analytic
// teaching landscapes.
Project demoProject(const DemoManifest& manifest);

// Writes the demo files (resumably) and keeps the manifest.
class DemoJob : public Job {
public:
    DemoJob(QString dir, DemoOptions options)
        : dir_(std::move(dir)), options_(std::move(options)) {}
    std::string title() const override { return "Write the demo project"; }
    void run(JobContext& context) override {
        manifest_ = writeDemoFiles(dir_.toStdString(), options_, context);
    }
    const DemoManifest& manifest() const { return manifest_; }
    const QString& dir() const { return dir_; }

private:
    QString dir_;
    DemoOptions options_;
    DemoManifest manifest_;
};

}  // namespace basin::app
