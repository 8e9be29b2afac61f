// EasyDrag result view: the result with a before/after slider, the auto-mask heatmap of
// the last run as an overlay toggle, the final tracked handles, "Use result as input",
// and the live view while a run is in progress (handles moving, optional preview).
(function () {
    "use strict";
    var ns = typeof window !== "undefined" ? (window.easydrag = window.easydrag || {}) : {};

    // Slider value in [0, 1] ("Before" = 0 at the left, "After" = 1 at the right) -> the
    // share of the image width, from the left, that still shows the input.
    function beforeShare(split) {
        var s = Math.min(1, Math.max(0, Number(split) || 0));
        return 1 - s;
    }

    // Heat (grey, 0..255 in the R channel of RGBA data) -> a coloured overlay whose alpha
    // grows with the heat, so cold areas stay untouched instead of darkened.
    function heatToOverlay(rgba) {
        for (var k = 0; k < rgba.length; k += 4) {
            var v = rgba[k] / 255;
            rgba[k] = 255; rgba[k + 1] = Math.round(200 * (1 - v)); rgba[k + 2] = 0;
            rgba[k + 3] = Math.round(200 * v);
        }
        return rgba;
    }

    function overlayCanvas(img) {
        if (!img || typeof document === "undefined") return img;
        var c = document.createElement("canvas");
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        var ctx = c.getContext("2d");
        ctx.drawImage(img, 0, 0);
        try {
            var d = ctx.getImageData(0, 0, c.width, c.height);
            heatToOverlay(d.data);
            ctx.putImageData(d, 0, 0);
        } catch (e) { return img; }   // a tainted image: show it as it is
        return c;
    }

    if (typeof module !== "undefined" && module.exports) module.exports = { beforeShare: beforeShare, heatToOverlay: heatToOverlay };
    if (typeof document === "undefined") return;

    function t(s) { return ns.t ? ns.t(s) : s; }

    function loadImage(src) {
        return new Promise(function (resolve) {
            if (!src) { resolve(null); return; }
            var img = new Image();
            img.onload = function () { resolve(img); };
            img.onerror = function () { resolve(null); };
            img.src = src;
        });
    }

    // onUseResult(finalHandles) is called by the "Use result as input" button.
    function ResultView(onUseResult) {
        var el = ns.dom.el;
        var self = this;
        this.onUseResult = onUseResult;
        this.before = null;        // input image at the time of the run
        this.after = null;         // result image (or live preview)
        this.heat = null;
        this.result = null;        // parsed result JSON
        this.targets = [];         // targets sent with the run, drawn for reference
        this.split = 1;            // start at "After": the result itself
        this.showHeat = false;

        this.slider = el("input", { type: "range", min: "0", max: "100", value: "100", className: "easydrag-slider",
            "aria-label": t("Before / after") });
        this.slider.addEventListener("input", function () { self.split = Number(self.slider.value) / 100; self.draw(); });
        this.heatBtn = el("button", { type: "button", className: "easydrag-btn", "data-action": "heatmap" });
        this.heatBtn.addEventListener("click", function () { self.showHeat = !self.showHeat; self.draw(); });
        this.useBtn = el("button", { type: "button", className: "easydrag-btn", "data-action": "useResult", text: t("Use result as input") });
        this.useBtn.addEventListener("click", function () {
            if (self.result && !self.result.running) self.onUseResult(self.result.final_handles);
        });
        this.canvas = el("canvas", { className: "easydrag-result-view" });
        this.status = el("div", { className: "easydrag-status", "aria-live": "polite" });
        this.legend = el("div", { className: "easydrag-legend",
            text: t("Heatmap: the auto mask of the last run; clear = kept as it was, yellow to red = free to change.") });
        this.legend.style.display = "none";
        var bar = el("div", { className: "easydrag-toolbar" }, [
            el("label", { className: "easydrag-slider-label", text: t("Before") }), this.slider,
            el("label", { className: "easydrag-slider-label", text: t("After") }), this.heatBtn, this.useBtn
        ]);
        this.empty = el("div", { className: "easydrag-empty easydrag-result-empty",
            text: t("Make a pair on the image and press Run: the result appears here.") });
        this.body = el("div", { className: "easydrag-result-body" }, [bar, this.canvas, this.legend]);
        this.body.style.display = "none";
        this.root = el("div", { className: "easydrag-result" }, [this.empty, this.body, this.status]);
        if (typeof ResizeObserver !== "undefined") new ResizeObserver(function () { self.draw(); }).observe(this.root);
    }

    // Called when a run starts or the first live frame arrives: remember the input image
    // and the targets so the slider compares against what was actually sent.
    ResultView.prototype.setBefore = function (img, pairs) {
        this.before = img;
        this.targets = pairs ? pairs.map(function (p) { return p.target; }) : [];
    };

    ResultView.prototype.setResult = function (result, afterSrc) {
        var self = this;
        this.result = result;
        // While running: the live preview if any, else the input (never the previous result).
        var src = result && result.running ? result.preview : afterSrc;
        var heatSrc = result ? result.mask_heat : null;
        return Promise.all([loadImage(src), loadImage(heatSrc)]).then(function (imgs) {
            if (self.result !== result) return;   // superseded by a newer frame
            self.after = imgs[0] || (result && result.running ? self.before : null);
            self.heat = overlayCanvas(imgs[1]);
            self.draw();
        });
    };

    ResultView.prototype.draw = function () {
        var r = this.result, img = this.after;
        this.body.style.display = img ? "" : "none";
        this.empty.style.display = img ? "none" : "";
        this.root.classList.toggle("easydrag-has-result", !!img);
        this.heatBtn.textContent = t(this.showHeat ? "Hide mask heatmap" : "Show mask heatmap");
        this.heatBtn.disabled = !this.heat;
        this.legend.style.display = this.showHeat && this.heat ? "" : "none";
        this.useBtn.disabled = !r || r.running || !img;
        if (!img) return;
        var w = this.root.clientWidth || 512;
        var size = (r && r.size) || [img.naturalWidth, img.naturalHeight];
        var h = Math.round(Math.min(Math.max(200, w * size[1] / size[0]), (window.innerHeight || 800) * 0.7));
        var dpr = window.devicePixelRatio || 1;
        this.canvas.style.width = w + "px";
        this.canvas.style.height = h + "px";
        this.canvas.width = Math.round(w * dpr);
        this.canvas.height = Math.round(h * dpr);
        var v = new ns.Viewport(size[0], size[1], w, h);
        var ctx = this.canvas.getContext("2d");
        ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        ns.draw.drawImage(ctx, v, img);
        var o = v.origin(), s = v.scale();
        if (this.before && this.before !== img && !(r && r.running)) {
            // Left of the divider: the input as it was; right: the result.
            var cut = o.x + size[0] * s * beforeShare(this.split);
            ctx.save();
            ctx.beginPath();
            ctx.rect(o.x, o.y, cut - o.x, size[1] * s);
            ctx.clip();
            ns.draw.drawImage(ctx, v, this.before);
            ctx.restore();
            var share = beforeShare(this.split);
            if (share > 0 && share < 1) {
                ctx.fillStyle = "#ffffff";
                ctx.fillRect(cut - 1, o.y, 2, size[1] * s);
            }
        }
        if (this.showHeat && this.heat) {
            ctx.save();
            ctx.imageSmoothingEnabled = s < 1;
            ctx.drawImage(this.heat, o.x, o.y, size[0] * s, size[1] * s);
            ctx.restore();
        }
        var targets = this.targets;
        var pairs = (r ? r.final_handles : []).map(function (hd, i) {
            return { handle: [Math.floor(hd[0]), Math.floor(hd[1])], target: targets[i] || null };
        });
        ns.draw.drawPairs(ctx, v, pairs, -1, { handlesOnly: true });
        var text = [];
        if (r && r.running) text.push((r.phase ? t(r.phase) : t("Running")) + (r.step !== null ? " " + r.step + (r.steps ? "/" + r.steps : "") : "") + "…");
        else if (r) text.push(t("Final handle positions shown; drag the slider to compare."));
        this.status.textContent = text.join(" ");
    };

    ns.ResultView = ResultView;
})();
