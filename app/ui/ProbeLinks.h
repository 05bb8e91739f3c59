#pragma once
// How plane views take part in the probe (DESIGN.md rule 6): a click on a
// surface or a contour map moves the probe to that (a, b) on the view's
// result; both draw the probe while it lies on their result.

#include <QString>
#include <memory>

#include "vtk/SurfaceScene.h"
#include "vtk/VtkView.h"

namespace basin::widgets {
class ContourMapView;
class SliceView;
}  // namespace basin::widgets

namespace basin::app {

class Session;

// A VTK view that owns its surface scene and destroys it first (the scene's
// actors live in the view's renderer).
class SurfaceView : public widgets::VtkView {
public:
    SurfaceView() : scene_(std::make_unique<widgets::SurfaceScene>(this)) {}
    ~SurfaceView() override { scene_.reset(); }
    widgets::SurfaceScene* scene() const { return scene_.get(); }

private:
    std::unique_ptr<widgets::SurfaceScene> scene_;
};

// `result` names the landscape the coordinates belong to (a surface file's
// name, an analytic landscape's title). Safe if the session goes first.
void linkSurfaceToProbe(SurfaceView* view, Session* session, const QString& result);
void linkContourToProbe(widgets::ContourMapView* view, Session* session, const QString& result);
// A 1D landscape (or a slice of a 2D one): a click moves the probe to that
// point of `result`; the view marks the probe while it lies on the slice.
void linkSliceToProbe(widgets::SliceView* view, Session* session, const QString& result);

}  // namespace basin::app
