// EasyDrag editor state: handle/target pairs, the mask, undo/redo, turning pointer
// gestures into pairs, and the JSON sent to Python. Pure logic (no DOM access) so it
// runs under Node's test runner; the canvas layer feeds it native-pixel coordinates.
//
// Points are integer pixel indices at the image's native resolution. A pair whose
// target is still null is "unfinished": it is drawn as such and never serialised.
(function () {
    "use strict";

    function maskClass() {
        if (typeof window !== "undefined" && window.easydrag && window.easydrag.MaskBitmap) return window.easydrag.MaskBitmap;
        return require("./easydrag_mask.js").MaskBitmap;
    }

    var MAX_HISTORY = 200;

    function EditorState(width, height) {
        this.width = 0;
        this.height = 0;
        this._reset();
        if (width !== undefined) this.setImageSize(width, height);
    }

    // Points, selection, mask, history and any gesture in progress start over.
    EditorState.prototype._reset = function () {
        this.pairs = [];
        this.selected = -1;
        this.mask = null;
        this.undoStack = [];
        this.redoStack = [];
        this.gesture = null;
    };

    // A new input image: everything (points, mask, history) starts over.
    EditorState.prototype.setImageSize = function (w, h) {
        if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) {
            throw new Error("EasyDrag: image size must be positive integers, got " + w + "x" + h);
        }
        this.width = w;
        this.height = h;
        this._reset();
    };

    // Snap a continuous native coordinate to a pixel index inside the image.
    EditorState.prototype.clampPoint = function (p) {
        if (!p || !isFinite(p.x) || !isFinite(p.y)) throw new Error("EasyDrag: point must have finite x and y");
        return [
            Math.min(this.width - 1, Math.max(0, Math.floor(p.x))),
            Math.min(this.height - 1, Math.max(0, Math.floor(p.y)))
        ];
    };

    // ---- history -------------------------------------------------------------

    EditorState.prototype._snapshot = function () {
        var m = this.mask;
        var maskRuns = null;
        if (m) {
            // Encoding is O(pixels); cache it per mask version so point edits stay cheap.
            if (!this._maskCache || this._maskCache.mask !== m || this._maskCache.version !== m.version) {
                this._maskCache = { mask: m, version: m.version, runs: m.encode() };
            }
            maskRuns = this._maskCache.runs;
        }
        return {
            pairs: this.pairs.map(function (p) { return { handle: p.handle.slice(), target: p.target ? p.target.slice() : null }; }),
            selected: this.selected,
            maskRuns: maskRuns
        };
    };

    EditorState.prototype._restore = function (snap) {
        this.pairs = snap.pairs.map(function (p) { return { handle: p.handle.slice(), target: p.target ? p.target.slice() : null }; });
        this.selected = snap.selected < this.pairs.length ? snap.selected : -1;
        var runs = snap.maskRuns;
        if (this._snapshotMaskRuns() !== runs) {
            this.mask = runs ? maskClass().decode(this.width, this.height, runs) : null;
            if (this.mask) this._maskCache = { mask: this.mask, version: this.mask.version, runs: runs };
        }
    };

    EditorState.prototype._snapshotMaskRuns = function () {
        if (!this.mask) return null;
        var c = this._maskCache;
        return (c && c.mask === this.mask && c.version === this.mask.version) ? c.runs : undefined;
    };

    // Record `before` as one undoable edit (call after the change was applied).
    EditorState.prototype._pushEdit = function (before) {
        this.undoStack.push(before);
        if (this.undoStack.length > MAX_HISTORY) this.undoStack.shift();
        this.redoStack = [];
    };

    // Apply `fn` as one undoable edit.
    EditorState.prototype._edit = function (fn) {
        this._requireImage();
        var before = this._snapshot();
        fn.call(this);
        this._pushEdit(before);
    };

    EditorState.prototype._requireImage = function () {
        if (!this.width) throw new Error("EasyDrag: load an image before editing points");
    };

    EditorState.prototype.canUndo = function () { return this.undoStack.length > 0 && !this.gesture; };
    EditorState.prototype.canRedo = function () { return this.redoStack.length > 0 && !this.gesture; };

    EditorState.prototype.undo = function () {
        if (!this.canUndo()) return false;
        this.redoStack.push(this._snapshot());
        this._restore(this.undoStack.pop());
        return true;
    };

    EditorState.prototype.redo = function () {
        if (!this.canRedo()) return false;
        this.undoStack.push(this._snapshot());
        this._restore(this.redoStack.pop());
        return true;
    };

    // ---- pair edits -------------------------------------------------------------

    EditorState.prototype.addPair = function (handle, target) {
        var h = this.clampPoint(handle), t = target ? this.clampPoint(target) : null;
        this._edit(function () {
            this._dropUnfinished();
            this.pairs.push({ handle: h, target: t });
            this.selected = this.pairs.length - 1;
        });
        return this.selected;
    };

    EditorState.prototype.setPoint = function (index, which, p) {
        this._checkIndex(index);
        var v = this.clampPoint(p);
        this._edit(function () { this.pairs[index][which === "target" ? "target" : "handle"] = v; });
    };

    EditorState.prototype.deletePair = function (index) {
        this._checkIndex(index);
        this._edit(function () {
            this.pairs.splice(index, 1);
            this.selected = -1;
        });
    };

    EditorState.prototype.deleteSelected = function () {
        if (this.selected < 0 || this.selected >= this.pairs.length) return false;
        this.deletePair(this.selected);
        return true;
    };

    EditorState.prototype.clearPoints = function () {
        if (!this.pairs.length) return false;
        this._edit(function () { this.pairs = []; this.selected = -1; });
        return true;
    };

    EditorState.prototype.select = function (index) {
        this.selected = (index >= 0 && index < this.pairs.length) ? index : -1;
    };

    EditorState.prototype._checkIndex = function (i) {
        if (!(Number.isInteger(i) && i >= 0 && i < this.pairs.length)) throw new Error("EasyDrag: no pair number " + (i + 1));
    };

    EditorState.prototype._dropUnfinished = function () {
        this.pairs = this.pairs.filter(function (p) { return p.target !== null; });
        if (this.selected >= this.pairs.length) this.selected = -1;
    };

    EditorState.prototype.unfinishedIndex = function () {
        for (var i = 0; i < this.pairs.length; i++) if (!this.pairs[i].target) return i;
        return -1;
    };

    EditorState.prototype.completePairs = function () {
        return this.pairs.filter(function (p) { return p.target !== null; });
    };

    // "Use result as input": the tracked handles become the new handles and the targets
    // stay, so a long drag can continue in shorter steps; undoable, history kept.
    // opts.dropArrived: pairs whose tracked handle reached its target pixel are removed
    // (a zero-length pair would only make the next run invert and denoise for nothing).
    // Returns how many pairs were dropped.
    EditorState.prototype.continueFrom = function (finalHandles, opts) {
        if (!Array.isArray(finalHandles)) throw new Error("EasyDrag: final_handles must be a list of [x, y]");
        var done = this.completePairs();
        if (finalHandles.length !== done.length) {
            throw new Error("EasyDrag: result has " + finalHandles.length + " handles but the editor has " + done.length + " pairs");
        }
        var self = this;
        var moved = finalHandles.map(function (p, i) {
            if (!Array.isArray(p) || p.length !== 2) throw new Error("EasyDrag: final handle " + (i + 1) + " must be [x, y]");
            return self.clampPoint({ x: Number(p[0]), y: Number(p[1]) });
        });
        var pairs = done.map(function (p, i) { return { handle: moved[i], target: p.target.slice() }; });
        var kept = opts && opts.dropArrived ? pairs.filter(function (p) {
            return p.handle[0] !== p.target[0] || p.handle[1] !== p.target[1];
        }) : pairs;
        this._edit(function () { this.pairs = kept; });
        return pairs.length - kept.length;
    };

    // ---- mask edits (the stroke itself is applied by the caller between begin/end) ------

    EditorState.prototype.ensureMask = function () {
        this._requireImage();
        if (!this.mask) { var M = maskClass(); this.mask = new M(this.width, this.height); }
        return this.mask;
    };

    EditorState.prototype.beginMaskStroke = function () {
        this._requireImage();
        this.gesture = { kind: "mask", before: this._snapshot(), version: this.mask ? this.mask.version : -1 };
        return this.ensureMask();
    };

    EditorState.prototype.endMaskStroke = function () {
        var g = this.gesture;
        if (!g || g.kind !== "mask") return false;
        this.gesture = null;
        if (g.version === -1 && this.mask.isEmpty()) { this.mask = null; return false; }
        if (this.mask.version === g.version) return false;
        this._pushEdit(g.before);
        return true;
    };

    EditorState.prototype.clearMask = function () {
        if (!this.mask || this.mask.isEmpty()) return false;
        this._edit(function () { this.mask = null; });
        return true;
    };

    var api = { EditorState: EditorState, MAX_HISTORY: MAX_HISTORY };
    if (typeof window !== "undefined") {
        window.easydrag = window.easydrag || {};
        window.easydrag.EditorState = EditorState;
    }
    if (typeof module !== "undefined" && module.exports) module.exports = api;
})();
