// EasyDrag editor tools: the toolbar's buttons, the brush sizes, the mask overlay's
// opacities and the mask modes. Pure logic (no DOM), loadable by Node; the editor
// (easydrag_editor.js) and its toolbar (easydrag_toolbar.js) use it.
(function () {
    "use strict";

    var OPACITIES = [0.45, 0.7, 0.25];
    var MASK_MODES = ["auto", "user", "none"];
    // [action, label, tooltip]; the brush group also gets the size label and the mask-mode menu.
    var TOOLBAR = [
        [["points", "Points"], ["brush", "Brush"], ["eraser", "Eraser"]],
        [["undo", "Undo"], ["redo", "Redo"], ["delete", "Delete pair"], ["clearPoints", "Clear points"]],
        [["smaller", "−", "Smaller brush"], ["bigger", "+", "Bigger brush"], ["toggleMask", "Hide mask"],
         ["opacity", "Opacity"], ["clearMask", "Clear mask"]],
        [["resetView", "Reset zoom"]],
        [["openImage", "Open image…", "Open an image file (or drop one on the canvas)"],
         ["loadMask", "Load mask…", "Paint a mask from a picture: white (or opaque) = may change"]]
    ];
    var BRUSH_GROUP = "smaller";        // the group whose first action this is holds the brush controls
    var TOOLS = ["points", "brush", "eraser"];

    // A new image's brush: 1/24 of its short side, at least 2 px.
    function initialBrush(w, h) { return Math.max(2, Math.round(Math.min(w, h) / 24)); }

    function smallerBrush(r) { return Math.max(1, Math.round(r / 1.25)); }

    // At least one pixel bigger, at most half the image's short side (and never under 2).
    function biggerBrush(r, w, h) {
        return Math.min(Math.max(2, Math.round(Math.min(w, h) / 2)), Math.max(r + 1, Math.round(r * 1.25)));
    }

    function nextOpacity(i) { return (i + 1) % OPACITIES.length; }

    var api = {
        OPACITIES: OPACITIES, MASK_MODES: MASK_MODES, TOOLBAR: TOOLBAR, BRUSH_GROUP: BRUSH_GROUP, TOOLS: TOOLS,
        initialBrush: initialBrush, smallerBrush: smallerBrush, biggerBrush: biggerBrush, nextOpacity: nextOpacity
    };
    if (typeof window !== "undefined") {
        window.easydrag = window.easydrag || {};
        window.easydrag.tools = api;
    }
    if (typeof module !== "undefined" && module.exports) module.exports = api;
})();
