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
// run's last and first epochs, the two seeds' last epochs, its Hessian
// spectrum and the path between the seeds (when written), the digits CNN's
// Grad-CAM++ and Integrated Gradients maps of a test digit, and the analytic
// teaching landscapes with the procedural Gaussian avatar.
Project demoProject(const DemoManifest& manifest);

// The Hessian spectrum of the first run's last checkpoint on its training
// set, beside the checkpoint (".hessian.json"); empty without runs.
QString demoHessianPath(const DemoManifest& manifest);
// Computes it with every extra (a few seconds for the demo MLP) unless the
// file exists.
void writeDemoHessian(const DemoManifest& manifest, JobContext& context);

// The linear path between the two seeds' last checkpoints of the first run's
// model (ui/Connectivity.h names it); empty without a second seed.
QString demoLmcPath(const DemoManifest& manifest);
// Computes it, train and test, at 25 points (a second for the demo MLP); a
// complete file is kept.
void writeDemoLmc(const DemoManifest& manifest, JobContext& context);

// Writes the demo files (resumably), the Hessian spectrum and the LMC path,
// and keeps the manifest.
class DemoJob : public Job {
public:
    DemoJob(QString dir, DemoOptions options)
        : dir_(std::move(dir)), options_(std::move(options)) {}
    std::string title() const override { return "Write the demo project"; }
    void run(JobContext& context) override;
    const DemoManifest& manifest() const { return manifest_; }
    const QString& dir() const { return dir_; }

private:
    QString dir_;
    DemoOptions options_;
    DemoManifest manifest_;
};

}  // namespace basin::app
