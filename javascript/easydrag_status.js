// EasyDrag status line: what the editor says under the canvas (pairs, unfinished pair,
// handles already on their target, mask size and mode, zoom, image size, the last message)
// and whether the painted mask is being ignored. Pure logic (no DOM), loadable by Node.
(function () {
    "use strict";

    // What each mask mode does with a painted mask (the engine's rule, docs/canvas.md).
    var MASK_NOTES = {
        auto: "auto mode ignores the painted mask (the mask comes from the drag's gradient)",
        none: "mode none ignores the painted mask"
    };

    function identity(s) { return s; }

    // st: an EditorState; info: {hasImage, maskMode, zoom, message}; t: the translation.
    // Returns {text, warn}: warn is true when a painted mask is ignored by the mask mode.
    function statusLine(st, info, t) {
        t = t || identity;
        var parts = [];
        if (info.hasImage) {
            var complete = st.completePairs();
            parts.push(complete.length + " " + t(complete.length === 1 ? "pair" : "pairs"));
            if (st.unfinishedIndex() >= 0) parts.push(t("1 unfinished (not sent): click its target"));
            var still = complete.map(function (p, i) {
                return p.handle[0] === p.target[0] && p.handle[1] === p.target[1] ? i + 1 : 0;
            }).filter(Boolean);
            if (still.length) parts.push(t("pair") + " " + still.join(", ") + ": " + t("handle on its target, nothing to move"));
            if (st.mask) parts.push(t("mask") + " " + st.mask.count() + " px");
            if (info.maskMode) parts.push(t("mask mode") + ": " + t(info.maskMode));
            if (info.zoom && info.zoom !== 1) parts.push(t("zoom") + " " + Math.round(info.zoom * 100) + "%");
            parts.push(st.width + "×" + st.height);
        }
        var note = st.mask && info.maskMode ? MASK_NOTES[info.maskMode] : null;
        var warn = !!(info.hasImage && note);
        if (warn) parts.push(t(note));
        if (info.message) parts.push(info.message);
        return { text: parts.join(" · "), warn: warn };
    }

    var api = { statusLine: statusLine, MASK_NOTES: MASK_NOTES };
    if (typeof window !== "undefined") {
        window.easydrag = window.easydrag || {};
        window.easydrag.status = api;
    }
    if (typeof module !== "undefined" && module.exports) module.exports = api;
})();
