// EasyDrag editor widget: the toolbar, the zoomable canvas with the image, points and
// mask, the status line and the shortcut list. Pointer and keyboard handling live in
// easydrag_input.js; talking to gradio lives in easydrag_bridge.js.
(function () {
    "use strict";
    var ns = window.easydrag = window.easydrag || {};

    function t(s) { return ns.t ? ns.t(s) : s; }

    function el(tag, attrs, children) {
        var e = document.createElement(tag);
        Object.keys(attrs || {}).forEach(function (k) {
            if (k === "text") e.textContent = attrs[k];
            else if (k === "className") e.className = attrs[k];
            else e.setAttribute(k, attrs[k]);
        });
        (children || []).forEach(function (c) { e.appendChild(c); });
        return e;
    }

    var OPACITIES = [0.45, 0.7, 0.25];
    var MASK_MODES = ["auto", "user", "none"];
    // What each mask mode does with a painted mask (the engine's rule, docs/canvas.md).
    var MASK_NOTES = {
        auto: "auto mode ignores the painted mask (the mask comes from the drag's gradient)",
        none: "mode none ignores the painted mask"
    };

    // onChange(editor, reason) is called after every finished edit (not during drags).
    function Editor(onChange) {
        this.onChange = onChange || function () {};
        this.state = new ns.EditorState();
        this.gestures = new ns.Gestures(this.state);
        this.keymap = new ns.keys.Keymap(window.opts || null);
        this.view = null;
        this.image = null;
        this.imageSrc = null;
        this.tool = "points";
        this.brushRadius = 10;
        this.showMask = true;
        this.opacityIndex = 0;
        this.maskMode = null;
        this.cursor = null;           // last pointer position in display px, for the brush ring
        this.maskCanvas = null;       // native-size overlay rendered from state.mask
        this.renderedMask = null;     // {mask, version} painted into maskCanvas
        this.message = "";
        this.onMaskMode = null;       // set by the bridge: (mode) -> sets the tab's mask-mode radio
        this.onOpenFile = null;       // set by the bridge: (File) -> uploads it as the input image
        this._build();
        ns.attachInput(this);
    }

    Editor.prototype._build = function () {
        var self = this;
        function btn(action, text, title) {
            var b = el("button", { type: "button", "data-action": action, className: "easydrag-btn" });
            b.dataset.tip = title || text;
            b.textContent = t(text);
            b.addEventListener("click", function () { self.doAction(action); });
            return b;
        }
        this.buttons = {};
        var groups = [
            [["points", "Points"], ["brush", "Brush"], ["eraser", "Eraser"]],
            [["undo", "Undo"], ["redo", "Redo"], ["delete", "Delete pair"], ["clearPoints", "Clear points"]],
            [["smaller", "−", "Smaller brush"], ["bigger", "+", "Bigger brush"], ["toggleMask", "Hide mask"],
             ["opacity", "Opacity"], ["clearMask", "Clear mask"]],
            [["resetView", "Reset zoom"]],
            [["openImage", "Open image…", "Open an image file (or drop one on the canvas)"],
             ["loadMask", "Load mask…", "Paint a mask from a picture: white (or opaque) = may change"]]
        ];
        var bar = el("div", { className: "easydrag-toolbar", role: "toolbar" });
        groups.forEach(function (g) {
            var grp = el("div", { className: "easydrag-group" });
            g.forEach(function (d) {
                var b = btn(d[0], d[1], d[2]);
                self.buttons[d[0]] = b;
                grp.appendChild(b);
            });
            if (g[0][0] === "smaller") {
                self.sizeLabel = el("span", { className: "easydrag-size" });
                grp.insertBefore(self.sizeLabel, grp.children[1]);
                // The mask mode lives next to the brush: it decides what the paint does.
                self.maskSelect = el("select", { className: "easydrag-mask-mode", "aria-label": t("Mask mode"),
                    title: t("Mask mode: auto = from the drag's gradient, user = the painted mask, none = no mask term") });
                MASK_MODES.forEach(function (m) { self.maskSelect.appendChild(el("option", { value: m, text: t("Mask") + ": " + t(m) })); });
                self.maskSelect.addEventListener("change", function () { self.setMaskMode(self.maskSelect.value, true); });
                grp.appendChild(self.maskSelect);
            }
            bar.appendChild(grp);
        });
        this.canvas = el("canvas", { className: "easydrag-view", tabindex: "0", "aria-label": t("Drag canvas") });
        this.emptyNote = el("div", { className: "easydrag-empty", role: "button", tabindex: "0",
            text: t("Drop an image here or click to open one, then drag from a handle to its target.") });
        this.emptyNote.addEventListener("click", function () { self.doAction("openImage"); });
        this.emptyNote.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); self.doAction("openImage"); } });
        this.stage = el("div", { className: "easydrag-stage" }, [this.canvas, this.emptyNote]);
        this.stage.addEventListener("dragover", function (e) { e.preventDefault(); self.stage.classList.add("easydrag-drop"); });
        this.stage.addEventListener("dragleave", function () { self.stage.classList.remove("easydrag-drop"); });
        this.stage.addEventListener("drop", function (e) {
            e.preventDefault();
            self.stage.classList.remove("easydrag-drop");
            var f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
            if (f) self.openFile(f);
        });
        this.imageFile = this._filePicker(function (f) { self.openFile(f); });
        this.maskFile = this._filePicker(function (f) { self.loadMaskFile(f); });
        this.status = el("div", { className: "easydrag-status", "aria-live": "polite" });
        this.statusText = el("span");
        this.useMaskBtn = el("button", { type: "button", className: "easydrag-btn easydrag-inline", "data-action": "useMask",
            text: t("Use the painted mask (mode user)") });
        this.useMaskBtn.addEventListener("click", function () { self.setMaskMode("user", true); });
        this.status.appendChild(this.statusText);
        this.status.appendChild(this.useMaskBtn);
        this.shortcutTable = el("table");
        this.shortcuts = el("details", { className: "easydrag-shortcuts" }, [
            el("summary", { text: t("Keyboard shortcuts") }), this.shortcutTable
        ]);
        this._fillShortcuts();
        this.root = el("div", { className: "easydrag-editor" }, [bar, this.stage, this.status, this.shortcuts, this.imageFile, this.maskFile]);
        this.ctx = this.canvas.getContext("2d");
        this.refresh();
    };

    Editor.prototype._filePicker = function (onFile) {
        var input = el("input", { type: "file", accept: "image/*", className: "easydrag-file" });
        input.style.display = "none";
        input.addEventListener("change", function () {
            var f = input.files && input.files[0];
            input.value = "";
            if (f) onFile(f);
        });
        return input;
    };

    Editor.prototype.openFile = function (file) {
        if (!/^image\//.test(file.type || "image/")) { this.setMessage(t("Not an image file") + ": " + file.name); return; }
        if (this.onOpenFile) this.onOpenFile(file);
        else this.setImage(URL.createObjectURL(file), false);
    };

    // A mask picture, scaled (nearest) to the image: one undoable edit, replacing the paint.
    Editor.prototype.loadMaskFile = function (file) {
        var self = this, st = this.state;
        if (!this.image) { this.setMessage(t("Open an image first")); return Promise.resolve(false); }
        var url = URL.createObjectURL(file);
        return new Promise(function (resolve) {
            var img = new Image();
            img.onload = function () {
                URL.revokeObjectURL(url);
                if (self.state !== st) { resolve(false); return; }
                var c = document.createElement("canvas");
                c.width = st.width; c.height = st.height;
                var ctx = c.getContext("2d");
                ctx.imageSmoothingEnabled = false;
                ctx.drawImage(img, 0, 0, st.width, st.height);
                var m = ns.MaskBitmap.fromPicture(st.width, st.height, ctx.getImageData(0, 0, st.width, st.height).data);
                st._edit(function () { this.mask = m.isEmpty() ? null : m; });
                self.setMessage(m.isEmpty() ? t("The mask picture has no white or opaque area") :
                    t("Mask loaded from") + " " + file.name + (img.naturalWidth !== st.width || img.naturalHeight !== st.height ?
                        " (" + t("scaled from") + " " + img.naturalWidth + "×" + img.naturalHeight + ")" : ""));
                self.changed();
                resolve(true);
            };
            img.onerror = function () { URL.revokeObjectURL(url); self.setMessage(t("Could not read the mask picture")); resolve(false); };
            img.src = url;
        });
    };

    // mode from the tab (fromUser=false) or from the toolbar menu (true: tell the tab).
    Editor.prototype.setMaskMode = function (mode, fromUser) {
        this.maskMode = mode;
        if (this.maskSelect && mode && this.maskSelect.value !== mode) this.maskSelect.value = mode;
        if (fromUser && this.onMaskMode) this.onMaskMode(mode);
        this.refreshStatus();
    };

    Editor.prototype._tooltips = function () {
        var km = this.keymap;
        Object.keys(this.buttons).forEach(function (k) {
            var b = this.buttons[k], hint = km.hint(k);
            b.title = t(b.dataset.tip) + (hint ? " (" + hint + ")" : "");
        }, this);
    };

    Editor.prototype._fillShortcuts = function () {
        if (this.buttons) this._tooltips();
        var rows = this.keymap.describe().map(function (r) {
            return el("tr", {}, [el("td", { text: t(r[0]) }), el("td", {}, [el("kbd", { text: r[1] })])]);
        });
        rows.push(el("tr", {}, [el("td", { text: t("Zoom") }), el("td", {}, [el("kbd", { text: t("Mouse wheel") })])]));
        this.shortcutTable.textContent = "";
        rows.forEach(function (r) { this.shortcutTable.appendChild(r); }, this);
    };

    // Settings can arrive after the tab is built (the WebUI loads opts asynchronously).
    Editor.prototype.reloadKeys = function () {
        this.keymap = new ns.keys.Keymap(window.opts || null);
        this._fillShortcuts();
    };

    // A new image src. keep=true ("Use result as input") keeps points and history when the
    // size matches; otherwise the editor starts over. Resolves once the image is drawn.
    Editor.prototype.setImage = function (src, keep) {
        var self = this;
        this.imageSrc = src;
        if (!src) {
            this.image = null;
            this.view = null;
            this.state = new ns.EditorState();
            this.gestures = new ns.Gestures(this.state);
            this.refresh();
            return Promise.resolve(false);
        }
        return new Promise(function (resolve) {
            var img = new Image();
            img.onload = function () {
                if (self.imageSrc !== src) { resolve(false); return; } // a newer image won
                var w = img.naturalWidth, h = img.naturalHeight;
                var same = self.state.width === w && self.state.height === h;
                self.image = img;
                if (!(keep && same)) {
                    self.state.setImageSize(w, h);
                    self.brushRadius = Math.max(2, Math.round(Math.min(w, h) / 24));
                    self.maskCanvas = null;
                    self.renderedMask = null;
                    self.message = "";
                    if (keep) self.setMessage(t("The result has another size; points were reset."));
                }
                self.view = null;
                self.layout();
                self.changed("image");
                resolve(true);
            };
            img.onerror = function () {
                if (self.imageSrc === src) self.setMessage(t("Could not load the input image."));
                resolve(false);
            };
            img.src = src;
        });
    };

    // Size the canvas to the stage: full width, height following the image's aspect
    // ratio within limits; device-pixel-ratio aware so marks stay sharp.
    Editor.prototype.layout = function () {
        var w = this.stage.clientWidth;
        this.laidOutWidth = w;
        if (!w || !this.image) { this.refresh(); return; }  // hidden tab: laid out when shown
        var iw = this.state.width, ih = this.state.height;
        var maxH = Math.max(240, Math.round((window.innerHeight || 800) * 0.7));
        var h = Math.round(Math.min(maxH, Math.max(200, w * ih / iw)));
        var dpr = window.devicePixelRatio || 1;
        this.canvas.style.width = w + "px";
        this.canvas.style.height = h + "px";
        this.canvas.width = Math.round(w * dpr);
        this.canvas.height = Math.round(h * dpr);
        this.dpr = dpr;
        if (!this.view || this.view.imageW !== iw || this.view.imageH !== ih) this.view = new ns.Viewport(iw, ih, w, h);
        else this.view.resize(w, h);
        this.refresh();
    };

    Editor.prototype._syncMaskCanvas = function () {
        var m = this.state.mask;
        if (!m) { this.renderedMask = null; return; }
        if (!this.maskCanvas || this.maskCanvas.width !== m.width || this.maskCanvas.height !== m.height) {
            this.maskCanvas = document.createElement("canvas");
            this.maskCanvas.width = m.width;
            this.maskCanvas.height = m.height;
            this.renderedMask = null;
        }
        if (!this.renderedMask || this.renderedMask.mask !== m || this.renderedMask.version !== m.version) {
            this.maskCanvas.getContext("2d").clearRect(0, 0, m.width, m.height);
            ns.draw.paintMaskRect(this.maskCanvas, m, null);
            this.renderedMask = { mask: m, version: m.version };
        }
    };

    // Called by the input layer after painting a stroke segment: update only that rectangle.
    Editor.prototype.maskDirty = function (rect) {
        var m = this.state.mask;
        if (!rect || !m) return;
        if (this.renderedMask && this.renderedMask.mask === m && this.maskCanvas) {
            var ctx = this.maskCanvas.getContext("2d");
            ctx.clearRect(rect.x, rect.y, rect.w, rect.h);
            ns.draw.paintMaskRect(this.maskCanvas, m, rect);
            this.renderedMask.version = m.version;
        }
        this.requestDraw();
    };

    Editor.prototype.requestDraw = function () {
        var self = this;
        if (this._raf) return;
        var raf = window.requestAnimationFrame || function (f) { return setTimeout(f, 16); };
        this._raf = raf(function () { self._raf = null; self.draw(); });
    };

    Editor.prototype.draw = function () {
        var ctx = this.ctx, v = this.view;
        var dpr = this.dpr || 1;
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
        this.emptyNote.style.display = this.image ? "none" : "";
        this.canvas.style.display = this.image ? "" : "none";
        if (!this.image || !v) return;
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ns.draw.drawImage(ctx, v, this.image);
        this._syncMaskCanvas();
        if (this.showMask && this.maskCanvas && this.state.mask) {
            var o = v.origin(), s = v.scale();
            ctx.save();
            ctx.globalAlpha = OPACITIES[this.opacityIndex];
            ctx.imageSmoothingEnabled = false;
            ctx.drawImage(this.maskCanvas, o.x, o.y, v.imageW * s, v.imageH * s);
            ctx.restore();
        }
        ns.draw.drawPairs(ctx, v, this.state.pairs, this.state.selected, { faint: this.tool !== "points" });
        if (this.tool !== "points" && this.cursor) {
            ns.draw.brushRing(ctx, this.cursor.x, this.cursor.y, this.brushRadius * v.scale(), this.tool === "eraser");
        }
    };

    Editor.prototype.setMessage = function (text) {
        this.message = text || "";
        this.refreshStatus();
    };

    Editor.prototype.refreshStatus = function () {
        var st = this.state;
        var parts = [];
        if (this.image) {
            var done = st.completePairs().length;
            parts.push(done + " " + t(done === 1 ? "pair" : "pairs"));
            if (st.unfinishedIndex() >= 0) parts.push(t("1 unfinished (not sent): click its target"));
            var still = st.completePairs().map(function (p, i) { return p.handle[0] === p.target[0] && p.handle[1] === p.target[1] ? i + 1 : 0; })
                .filter(Boolean);
            if (still.length) parts.push(t("pair") + " " + still.join(", ") + ": " + t("handle on its target, nothing to move"));
            if (st.mask) parts.push(t("mask") + " " + st.mask.count() + " px");
            if (this.maskMode) parts.push(t("mask mode") + ": " + t(this.maskMode));
            if (this.view && this.view.zoom !== 1) parts.push(t("zoom") + " " + Math.round(this.view.zoom * 100) + "%");
            parts.push(st.width + "×" + st.height);
        }
        var note = st.mask && this.maskMode ? MASK_NOTES[this.maskMode] : null;
        if (this.image && note) parts.push(t(note));
        if (this.message) parts.push(this.message);
        this.statusText.textContent = parts.join(" · ");
        this.status.classList.toggle("easydrag-warn", !!(this.image && note));
        this.useMaskBtn.style.display = this.image && note ? "" : "none";
    };

    Editor.prototype.refresh = function () {
        var st = this.state, has = !!this.image;
        var b = this.buttons;
        b.undo.disabled = !has || !st.canUndo();
        b.redo.disabled = !has || !st.canRedo();
        b["delete"].disabled = !has || st.selected < 0;
        b.clearPoints.disabled = !has || !st.pairs.length;
        b.clearMask.disabled = !has || !st.mask;
        b.loadMask.disabled = !has;
        ["points", "brush", "eraser"].forEach(function (k) { b[k].classList.toggle("easydrag-active", this.tool === k); }, this);
        b.toggleMask.textContent = t(this.showMask ? "Hide mask" : "Show mask");
        b.opacity.textContent = t("Opacity") + " " + Math.round(OPACITIES[this.opacityIndex] * 100) + "%";
        this.sizeLabel.textContent = t("Brush") + " " + this.brushRadius + " px";
        this.canvas.dataset.tool = this.tool;
        this.refreshStatus();
        this.draw();
    };

    // After every finished edit: redraw and tell the bridge. reason "image" marks the reset
    // caused by a new input image, which is not a user edit.
    Editor.prototype.changed = function (reason) {
        this.refresh();
        if (this.image) this.onChange(this, reason || "edit");
    };

    Editor.prototype.doAction = function (action) {
        var st = this.state;
        if (action === "openImage") { this.imageFile.click(); return true; }
        if (action === "loadMask") { if (this.image) this.maskFile.click(); return !!this.image; }
        if (!this.image && ["points", "brush", "eraser"].indexOf(action) < 0) return false;
        var edited = false;
        switch (action) {
            case "undo": edited = st.undo(); break;
            case "redo": edited = st.redo(); break;
            case "delete": edited = st.deleteSelected(); break;
            case "clearPoints": edited = st.clearPoints(); break;
            case "clearMask": edited = st.clearMask(); break;
            case "cancel":
                if (!this.gestures.cancel()) edited = this.gestures.dropUnfinished();
                else this.refresh();
                break;
            case "points": case "brush": case "eraser": this.tool = action; this.refresh(); return true;
            case "smaller": this.brushRadius = Math.max(1, Math.round(this.brushRadius / 1.25)); break;
            case "bigger": this.brushRadius = Math.min(Math.max(2, Math.round(Math.min(st.width, st.height) / 2)), Math.max(this.brushRadius + 1, Math.round(this.brushRadius * 1.25))); break;
            case "toggleMask": this.showMask = !this.showMask; break;
            case "opacity": this.opacityIndex = (this.opacityIndex + 1) % OPACITIES.length; this.showMask = true; break;
            case "resetView": if (this.view) this.view.reset(); break;
            default: return false;
        }
        this.setMessage("");
        if (edited) this.changed(); else this.refresh();
        return true;
    };

    // Native-size PNG of the mask (white = edit region) or null when empty; cached per version.
    Editor.prototype.maskDataUrl = function () {
        var m = this.state.mask;
        if (!m || m.isEmpty()) return null;
        if (this._maskPng && this._maskPng.mask === m && this._maskPng.version === m.version) return this._maskPng.url;
        var c = document.createElement("canvas");
        c.width = m.width; c.height = m.height;
        var ctx = c.getContext("2d");
        var img = ctx.createImageData(m.width, m.height);
        m.toRGBA(img.data);
        ctx.putImageData(img, 0, 0);
        var url = c.toDataURL("image/png");
        this._maskPng = { mask: m, version: m.version, url: url };
        return url;
    };

    Editor.prototype.payload = function () {
        return ns.serial.toPayload(this.state, this.maskDataUrl());
    };

    ns.Editor = Editor;
    ns.dom = { el: el };
})();
