// EasyDrag gestures: turns pointer down/move/up (already in native pixel coordinates)
// into pair edits on an EditorState. Pure logic, loadable by Node.
//
//   press on empty image + drag  -> new pair, the target follows the pointer (one edit)
//   click on empty image         -> unfinished pair (handle only); the next click or
//                                   drag places its target (one more edit)
//   press on a handle/target     -> selects the pair; dragging moves that point (one edit)
//   cancel() (Escape)            -> abandons the gesture in progress, nothing recorded
//   press outside the image (letterbox) or release a drag outside it -> "outside":
//                                   nothing placed or moved (never clamped to the edge)
(function () {
    "use strict";

    function Gestures(state) {
        this.state = state;
        this.active = null;
    }

    function dist(a, b) { return Math.hypot(a.x - b.x, a.y - b.y); }

    // p in native coordinates lies on the image (pixel i covers [i, i + 1)).
    function inside(st, p) { return p.x >= 0 && p.y >= 0 && p.x < st.width && p.y < st.height; }

    // Nearest handle or target within `radius` native pixels of p, measured from pixel centres.
    // Targets win ties so a pair whose points coincide can still be pulled apart by its target.
    Gestures.prototype.hitTest = function (p, radius) {
        var best = null, bestD = Infinity;
        var pairs = this.state.pairs;
        for (var i = 0; i < pairs.length; i++) {
            var kinds = ["target", "handle"];
            for (var k = 0; k < 2; k++) {
                var pt = pairs[i][kinds[k]];
                if (!pt) continue;
                var d = Math.hypot(pt[0] + 0.5 - p.x, pt[1] + 0.5 - p.y);
                if (d <= radius && d < bestD) { best = { index: i, which: kinds[k] }; bestD = d; }
            }
        }
        return best;
    };

    // p: native coordinates; hitRadius and dragThreshold in native pixels (the caller
    // divides its display-pixel tolerances by the viewport scale).
    Gestures.prototype.down = function (p, hitRadius, dragThreshold) {
        var st = this.state;
        st._requireImage();
        if (this.active) this.cancel();
        var before = st._snapshot();
        var hit = this.hitTest(p, hitRadius || 0);
        if (!hit && !inside(st, p)) return "outside";
        var g = { before: before, start: { x: p.x, y: p.y }, threshold: dragThreshold || 0, dragged: false };
        if (hit) {
            g.kind = "move"; g.index = hit.index; g.which = hit.which;
            st.selected = hit.index;
        } else {
            var u = st.unfinishedIndex();
            if (u >= 0) {
                g.kind = "target"; g.index = u;
                st.pairs[u].target = st.clampPoint(p);
            } else {
                g.kind = "new";
                st.pairs.push({ handle: st.clampPoint(p), target: null });
                g.index = st.pairs.length - 1;
            }
            st.selected = g.index;
        }
        this.active = g;
        st.gesture = g;
        return g.kind;
    };

    Gestures.prototype.move = function (p) {
        var g = this.active;
        if (!g) return false;
        if (!g.dragged && dist(p, g.start) > g.threshold) g.dragged = true;
        if (!g.dragged) return false;
        var pair = this.state.pairs[g.index];
        var v = this.state.clampPoint(p);
        if (g.kind === "move") pair[g.which] = v;
        else pair.target = v;  // "new" and "target": the arrow follows the pointer
        return true;
    };

    // Returns what the gesture did: "added", "unfinished", "completed", "moved", "selected",
    // or "outside" when a drag ends off the image (the gesture is undone).
    Gestures.prototype.up = function (p) {
        var g = this.active;
        if (!g) return null;
        if (p) this.move(p);
        if (p && g.dragged && !inside(this.state, p)) { this.cancel(); return "outside"; }
        var st = this.state;
        this.active = null;
        st.gesture = null;
        var result;
        if (g.kind === "move") {
            if (!g.dragged) return "selected";
            result = "moved";
        } else if (g.kind === "new") {
            if (!g.dragged) st.pairs[g.index].target = null;
            result = g.dragged ? "added" : "unfinished";
        } else {
            result = "completed";
        }
        st._pushEdit(g.before);
        return result;
    };

    Gestures.prototype.cancel = function () {
        var g = this.active;
        if (!g) return false;
        this.active = null;
        this.state.gesture = null;
        this.state._restore(g.before);
        return true;
    };

    // Escape without a gesture: drop the unfinished pair (one undoable edit).
    Gestures.prototype.dropUnfinished = function () {
        var st = this.state;
        var u = st.unfinishedIndex();
        if (u < 0) return false;
        st.deletePair(u);
        return true;
    };

    var api = { Gestures: Gestures };
    if (typeof window !== "undefined") {
        window.easydrag = window.easydrag || {};
        window.easydrag.Gestures = Gestures;
    }
    if (typeof module !== "undefined" && module.exports) module.exports = api;
})();
