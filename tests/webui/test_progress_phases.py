"""No silent stretch: every phase of a drag shows its name, and the bar and ETA behave, in
the WebUI (shared.state as modules/progress.py reads it) and in the standalone live status."""
import math

from easydrag_ext.engine.events import PHASES, PHASE_VERBS, WorkBudget

from .helpers import FAST, by_id, disc_image, handler_for, param_values, points_json


def _check_trace(trace, label):
    """trace: [(phase or None, text, fraction, eta)] in the order the states were seen."""
    texts = [t for _p, t, _f, _e in trace]
    for phase in PHASES:
        assert any(t.startswith(PHASE_VERBS[phase]) for t in texts), f"{label}: {phase} is silent: {texts}"
    # every phase boundary changes the text (a new phase is never shown under the old name)
    for (p0, t0, *_), (p1, t1, *_) in zip(trace, trace[1:]):
        if p0 != p1:
            assert t0 != t1 and t1.startswith(PHASE_VERBS[p1]), (label, t0, t1)
    fractions = [f for *_, f, _e in trace]
    assert fractions == sorted(fractions), f"{label}: the bar went backwards: {fractions}"
    assert fractions[-1] == 1.0
    first_moving = next(i for i, f in enumerate(fractions) if f > 0)
    etas = [e for *_, e in trace[first_moving:]]
    assert all(e is not None and math.isfinite(e) and e >= 0 for e in etas), etas
    return texts


def test_webui_progress_names_every_phase_and_never_goes_back(webui, page):
    from modules import progress

    from easydrag_ext.webui.webui_host import live_status

    fn, _ = handler_for(page, by_id(by_id(page, "tab_easydrag"), "easydrag_run"))
    state = webui.shared.state
    trace = []

    def seen(s):
        if s.textinfo.startswith("EasyDrag"):
            return
        prog, eta, text = progress.progress_numbers()
        phase = next(p for p in PHASES if text.startswith(PHASE_VERBS[p]))
        assert live_status["text"] == text and live_status["phase"] == PHASE_VERBS[phase]   # the canvas's poll
        trace.append((phase, text, prog, eta))
    state.hook = seen
    fn("task(p1)", disc_image(), "a red disc", "", points_json([[20, 20, 36, 28]]), None, *param_values(FAST))
    texts = _check_trace(trace, "webui")
    assert "Encoding\u2026" in texts and "Reading features\u2026" in texts and "Decoding\u2026" in texts
    assert f"Dragging 1/{FAST.max_iterations}" in texts
    assert state.job_count == 0 and state.history[-1] == "EasyDrag: done"   # the host's end() ran


def test_standalone_live_status_names_every_phase_and_never_goes_back(adapter, tmp_path):
    from easydrag_ext.ui.standalone import build_app

    from .test_standalone import _fn_index

    app, tab, services = build_app(adapter, output_dir=str(tmp_path), save_automatically=False)
    run = app.fns[_fn_index(app, tab.run)].fn
    report, trace = services._progress, []

    def spy(event):
        report(event)
        live = services.live_status()
        assert live["running"] and live["text"] == event.text
        trace.append((event.phase, live["text"], live["fraction"], 0.0))
    services._progress = spy
    run("", disc_image(), "p", "", points_json([[20, 20, 36, 28]]), None, *param_values(FAST))
    _check_trace(trace, "standalone")


def test_the_budget_weights_phases_by_cost_and_only_moves_forward():
    b = WorkBudget({"encode": 1, "inversion": 10, "features": 1, "drag": 50, "denoise": 10, "decode": 1})
    assert b.fraction("encode", 0, 1) == 0
    after_inversion = b.fraction("inversion", 10, 10)
    assert 0.05 < after_inversion < 0.3          # the drag is most of the work, not a third
    assert b.fraction("drag", 5, 50) > after_inversion
    at_denoise = b.fraction("denoise", 0, 10)    # the drag arrived early: a jump forward
    assert b.fraction("drag", 1, 50) == at_denoise     # never back
    assert b.fraction("decode", 1, 1) == 1.0
