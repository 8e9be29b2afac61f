// EasyDrag editor input: pointer gestures (points, mask brush, pan), wheel zoom and
// keyboard shortcuts for an Editor. Tolerances are in display pixels and converted to
// native pixels with the current zoom, so hit-testing feels the same at any zoom.
(function () {
    "use strict";
    var ns = window.easydrag = window.easydrag || {};

    var HIT_PX = 10;        // how close a press must be to grab a point
    var DRAG_PX = 4;        // movement that turns a click into a drag

    function t(s) { return ns.t ? ns.t(s) : s; }

    function isTyping(target) {
        if (!target || !target.tagName) return false;
        var tag = target.tagName.toLowerCase();
        return tag === "textarea" || tag === "select" || target.isContentEditable ||
            (tag === "input" && !/^(button|checkbox|radio|range|submit|reset)$/i.test(target.type || ""));
    }

    function attachInput(ed) {
        var canvas = ed.canvas;
        var drag = null;            // {kind: "points"|"mask"|"pan", last}
        var spaceDown = false;
        var hovering = false;

        function pos(e) {
            var r = canvas.getBoundingClientRect();
            return { x: e.clientX - r.left, y: e.clientY - r.top };
        }

        function native(p) { return ed.view.toNative(p.x, p.y); }

        canvas.addEventListener("pointerdown", function (e) {
            if (!ed.image || !ed.view || drag) return;
            canvas.focus({ preventScroll: true });
            var p = pos(e);
            ed.cursor = p;
            if (e.button === 1 || (e.button === 0 && spaceDown)) {
                drag = { kind: "pan", last: p };
            } else if (e.button !== 0) {
                return;
            } else if (ed.tool === "points") {
                var s = ed.view.scale();
                if (ed.gestures.down(native(p), HIT_PX / s, DRAG_PX / s) === "outside") {
                    ed.setMessage(t("Outside the image: place points on the picture"));
                    return;
                }
                ed.message = "";
                drag = { kind: "points" };
            } else {
                var value = ed.tool === "brush" ? 1 : 0;
                var mask = ed.state.beginMaskStroke();
                var n = native(p);
                // Pixel indices are the coordinate system of the mask: centre of pixel i is i + 0.5.
                drag = { kind: "mask", value: value, last: { x: n.x - 0.5, y: n.y - 0.5 } };
                ed.maskDirty(mask.dab(drag.last.x, drag.last.y, ed.brushRadius, value));
            }
            e.preventDefault();
            try { canvas.setPointerCapture(e.pointerId); } catch (err) { /* synthetic events */ }
            ed.refresh();
        });

        canvas.addEventListener("pointermove", function (e) {
            if (!ed.view) return;
            var p = pos(e);
            ed.cursor = p;
            if (!drag) {
                if (ed.tool === "points") {
                    var hit = ed.gestures.hitTest(native(p), HIT_PX / ed.view.scale());
                    canvas.style.cursor = hit ? "grab" : "crosshair";
                } else {
                    canvas.style.cursor = "none";
                }
                if (ed.tool !== "points") ed.requestDraw();
                return;
            }
            if (drag.kind === "pan") {
                ed.view.panBy(p.x - drag.last.x, p.y - drag.last.y);
                drag.last = p;
            } else if (drag.kind === "points") {
                ed.gestures.move(native(p));
                canvas.style.cursor = "grabbing";
            } else {
                var n = native(p);
                var cur = { x: n.x - 0.5, y: n.y - 0.5 };
                ed.maskDirty(ed.state.mask.line(drag.last.x, drag.last.y, cur.x, cur.y, ed.brushRadius, drag.value));
                drag.last = cur;
            }
            ed.requestDraw();
        });

        function finish(e, cancelled) {
            if (!drag) return;
            var d = drag;
            drag = null;
            if (d.kind === "pan") { ed.refresh(); return; }
            if (d.kind === "points") {
                if (cancelled) { ed.gestures.cancel(); ed.refresh(); return; }
                var what = ed.gestures.up(e ? native(pos(e)) : null);
                if (what === "outside") { ed.setMessage(t("Released outside the image: nothing moved")); ed.refresh(); return; }
                if (what === "selected") ed.refresh(); else ed.changed();
                return;
            }
            if (ed.state.endMaskStroke()) ed.changed(); else ed.refresh();
        }

        canvas.addEventListener("pointerup", function (e) { finish(e, false); });
        canvas.addEventListener("pointercancel", function () { finish(null, true); });
        canvas.addEventListener("pointerenter", function () { hovering = true; });
        canvas.addEventListener("pointerleave", function () {
            hovering = false;
            if (!drag) { ed.cursor = null; ed.requestDraw(); }
        });
        canvas.addEventListener("auxclick", function (e) { if (e.button === 1) e.preventDefault(); });
        canvas.addEventListener("contextmenu", function (e) { if (drag) e.preventDefault(); });

        canvas.addEventListener("wheel", function (e) {
            if (!ed.view) return;
            e.preventDefault();
            var p = pos(e);
            // Pixel-mode deltas are ~100 per notch; line/page modes are scaled up to match.
            var dy = e.deltaY * (e.deltaMode === 1 ? 33 : (e.deltaMode === 2 ? 400 : 1));
            if (ed.view.zoomAt(p.x, p.y, Math.exp(-dy * 0.0015))) ed.refresh();
        }, { passive: false });

        // Shortcuts act when the canvas has focus or the pointer is over it, never while
        // typing in a text field, so they do not steal keys from the rest of the page.
        document.addEventListener("keydown", function (e) {
            if (!ed.image || !ed.root.isConnected) return;
            var focused = ed.root.contains(document.activeElement);
            if (!(focused || hovering) || isTyping(e.target)) return;
            var action = ed.keymap.actionFor(e);
            if (!action) return;
            if (action === "pan") { spaceDown = true; e.preventDefault(); return; }
            if (drag && action !== "cancel") return;
            if (action === "cancel" && drag && drag.kind === "points") { drag = null; ed.gestures.cancel(); ed.refresh(); e.preventDefault(); return; }
            if (ed.doAction(action)) e.preventDefault();
        });
        document.addEventListener("keyup", function (e) {
            if (ed.keymap.matches("pan", e) || e.key === " ") spaceDown = false;
        });

        if (typeof ResizeObserver !== "undefined") {
            // Only width changes matter; reacting to our own height change would loop.
            new ResizeObserver(function () {
                if (ed.stage.clientWidth !== ed.laidOutWidth) ed.layout();
            }).observe(ed.stage);
        } else {
            window.addEventListener("resize", function () { ed.layout(); });
        }
    }

    ns.attachInput = attachInput;
})();
