// EasyDrag result view: the result with a before/after slider, the auto-mask heatmap of
// the last run as an overlay toggle, the final tracked handles, "Use result as input",
// and the live view while a run is in progress (handles moving, optional preview).
(function () {
    "use strict";
    var ns = window.easydrag = window.easydrag || {};

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
        this.split = 0.5;
        this.showHeat = false;

        this.slider = el("input", { type: "range", min: "0", max: "100", value: "50", className: "easydrag-slider",
            "aria-label": t("Before / after") });
        this.slider.addEventListener("input", function () { self.split = Number(self.slider.value) / 100; self.draw(); });
        this.heatBtn = el("button", { type: "button", className: "easydrag-btn", "data-action": "heatmap" });
        this.heatBtn.addEventListener("click", function () { self.showHeat = !self.showHeat; self.draw(); });
        this.useBtn = el("button", { type: "button", className: "easydrag-btn", "data-action": "useResult", text: t("Use result as input") });
        this.useBtn.addEventListener("click", function () {
            if (self.result && !self.result.running) self.onUseResult(self.result.final_handles);
        });
        this.canvas = el("canvas", { className: "easydrag-result-view" });
        this.status = el("div", { className: "easydrag-status" });
        var bar = el("div", { className: "easydrag-toolbar" }, [
            el("label", { className: "easydrag-slider-label", text: t("Before") }), this.slider,
            el("label", { className: "easydrag-slider-label", text: t("After") }), this.heatBtn, this.useBtn
        ]);
        this.root = el("div", { className: "easydrag-result" }, [bar, this.canvas, this.status]);
        this.root.style.display = "none";
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
        var src = (result && result.running && result.preview) ? result.preview : afterSrc;
        var heatSrc = result ? result.mask_heat : null;
        return Promise.all([loadImage(src), loadImage(heatSrc)]).then(function (imgs) {
            if (self.result !== result) return;   // superseded by a newer frame
            self.after = imgs[0] || (result && result.running ? self.before : null);
            self.heat = imgs[1];
            self.draw();
        });
    };

    ResultView.prototype.draw = function () {
        var r = this.result, img = this.after;
        this.root.style.display = img ? "" : "none";
        this.heatBtn.textContent = t(this.showHeat ? "Hide mask heatmap" : "Show mask heatmap");
        this.heatBtn.disabled = !this.heat;
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
            var cut = o.x + size[0] * s * this.split;
            ctx.save();
            ctx.beginPath();
            ctx.rect(o.x, o.y, cut - o.x, size[1] * s);
            ctx.clip();
            ns.draw.drawImage(ctx, v, this.before);
            ctx.restore();
            ctx.fillStyle = "#ffffff";
            ctx.fillRect(cut - 1, o.y, 2, size[1] * s);
        }
        if (this.showHeat && this.heat) {
            ctx.save();
            ctx.globalAlpha = 0.55;
            ctx.drawImage(this.heat, o.x, o.y, size[0] * s, size[1] * s);
            ctx.restore();
        }
        var targets = this.targets;
        var pairs = (r ? r.final_handles : []).map(function (hd, i) {
            return { handle: [Math.floor(hd[0]), Math.floor(hd[1])], target: targets[i] || null };
        });
        ns.draw.drawPairs(ctx, v, pairs, -1, { handlesOnly: true });
        var text = [];
        if (r && r.running) text.push(t("Running") + (r.step !== null ? " " + r.step + (r.steps ? "/" + r.steps : "") : "") + "…");
        else if (r) text.push(t("Final handle positions shown; drag the slider to compare."));
        this.status.textContent = text.join(" ");
    };

    ns.ResultView = ResultView;
})();
