#include "ui/ProbeLinks.h"

#include <QPointer>

#include "landscape/ContourMapView.h"
#include "landscape/SliceView.h"
#include "project/Session.h"

namespace basin::app {
namespace {

// Returns a function that moves the probe to (a, b) on `result`.
auto probeSetter(Session* session, const QString& result) {
    QPointer<Session> guard(session);
    return [guard, result](double a, double b) {
        if (!guard) return;
        Probe probe;
        probe.kind = Probe::Kind::Plane;
        probe.a = a;
        probe.b = b;
        probe.result = result;
        guard->setProbe(probe);
    };
}

// Keeps `view`'s probe marker (setProbe(a, b) / clearProbe()) on the
// session's probe while it lies on `result`.
template <class View>
void followPlaneProbe(View* view, Session* session, const QString& result) {
    auto follow = [view, result](const Probe& probe) {
        if (probe.kind == Probe::Kind::Plane && probe.result == result) {
            view->setProbe(probe.a, probe.b);
        } else {
            view->clearProbe();
        }
    };
    follow(session->project().probe);
    QObject::connect(session, &Session::probeChanged, view, follow);
}

}  // namespace

void linkSurfaceToProbe(SurfaceView* view, Session* session, const QString& result) {
    if (!session) return;
    QObject::connect(
        view->scene(), &widgets::SurfaceScene::surfacePicked, view,
        [set = probeSetter(session, result)](double a, double b, double) { set(a, b); });
    followPlaneProbe(view->scene(), session, result);
}

void linkContourToProbe(widgets::ContourMapView* view, Session* session, const QString& result) {
    if (!session) return;
    followPlaneProbe(view, session, result);
    QObject::connect(view, &widgets::ContourMapView::pointClicked, view,
                     probeSetter(session, result));
}

void linkSliceToProbe(widgets::SliceView* view, Session* session, const QString& result) {
    if (!session) return;
    followPlaneProbe(view, session, result);
    QObject::connect(view, &widgets::SliceView::pointClicked, view, probeSetter(session, result));
}

}  // namespace basin::app
