// EasyDrag editor widget: the image, points and mask on the zoomable canvas, and what the
// toolbar's actions do. Its elements are built by easydrag_toolbar.js, its files handled by
// easydrag_files.js, its status line written by easydrag_status.js and its tools' rules
// (brush, opacity, mask modes) are in easydrag_tools.js; pointer and keyboard handling live
// in easydrag_input.js; talking to gradio lives in easydrag_bridge.js.
(function () {
    "use strict";
    var ns = window.easydrag = window.easydrag || {};

    function t(s) { return ns.t ? ns.t(s) : s; }

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
        ns.editorElements.build(this);
        this.refresh();
    };

    Editor.prototype.openFile = function (file) { ns.editorFiles.openFile(this, file); };

    // A mask picture, scaled (nearest) to the image: one undoable edit, replacing the paint.
    Editor.prototype.loadMaskFile = function (file) { return ns.editorFiles.loadMaskFile(this, file); };

    // mode from the tab (fromUser=false) or from the toolbar menu (true: tell the tab).
    Editor.prototype.setMaskMode = function (mode, fromUser) {
        this.maskMode = mode;
        if (this.maskSelect && mode && this.maskSelect.value !== mode) this.maskSelect.value = mode;
        if (fromUser && this.onMaskMode) this.onMaskMode(mode);
        this.refreshStatus();
    };

    // Settings can arrive after the tab is built (the WebUI loads opts asynchronously).
    Editor.prototype.reloadKeys = function () {
        this.keymap = new ns.keys.Keymap(window.opts || null);
        ns.editorElements.fillShortcuts(this);
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
                    self.brushRadius = ns.tools.initialBrush(w, h);
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
            ctx.globalAlpha = ns.tools.OPACITIES[this.opacityIndex];
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
        var line = ns.status.statusLine(this.state, { hasImage: !!this.image, maskMode: this.maskMode,
            zoom: this.view ? this.view.zoom : null, message: this.message }, t);
        this.statusText.textContent = line.text;
        this.status.classList.toggle("easydrag-warn", line.warn);
        this.useMaskBtn.style.display = line.warn ? "" : "none";
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
        ns.tools.TOOLS.forEach(function (k) { b[k].classList.toggle("easydrag-active", this.tool === k); }, this);
        b.toggleMask.textContent = t(this.showMask ? "Hide mask" : "Show mask");
        b.opacity.textContent = t("Opacity") + " " + Math.round(ns.tools.OPACITIES[this.opacityIndex] * 100) + "%";
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
        if (!this.image && ns.tools.TOOLS.indexOf(action) < 0) return false;
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
            case "smaller": this.brushRadius = ns.tools.smallerBrush(this.brushRadius); break;
            case "bigger": this.brushRadius = ns.tools.biggerBrush(this.brushRadius, st.width, st.height); break;
            case "toggleMask": this.showMask = !this.showMask; break;
            case "opacity": this.opacityIndex = ns.tools.nextOpacity(this.opacityIndex); this.showMask = true; break;
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
        var url = ns.editorFiles.maskPng(m);
        this._maskPng = { mask: m, version: m.version, url: url };
        return url;
    };

    Editor.prototype.payload = function () {
        return ns.serial.toPayload(this.state, this.maskDataUrl());
    };

    ns.Editor = Editor;
})();
