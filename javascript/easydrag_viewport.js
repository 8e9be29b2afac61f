// EasyDrag viewport: maps display pixels (CSS px inside the canvas element) to native
// image pixels and back under fit-to-view, zoom and pan. Pure logic, loadable by Node.
//
// Native coordinates are continuous (0..width); a point's pixel index is floor(x).
// At zoom 1 the image is fitted and centred ("contain"), so non-square images keep
// their aspect ratio and letterbox bars never map to image pixels.
(function () {
    "use strict";

    var MIN_ZOOM = 1;
    var MAX_ZOOM = 64;

    function Viewport(imageW, imageH, viewW, viewH) {
        this.setImage(imageW, imageH);
        this.resize(viewW, viewH);
    }

    Viewport.prototype.setImage = function (w, h) {
        if (!(w > 0 && h > 0)) throw new Error("EasyDrag viewport: image size must be positive, got " + w + "x" + h);
        this.imageW = w;
        this.imageH = h;
        this.reset();
    };

    Viewport.prototype.resize = function (viewW, viewH) {
        if (!(viewW > 0 && viewH > 0)) throw new Error("EasyDrag viewport: view size must be positive, got " + viewW + "x" + viewH);
        this.viewW = viewW;
        this.viewH = viewH;
        this._clampPan();
    };

    Viewport.prototype.reset = function () {
        this.zoom = 1;
        this.panX = 0;
        this.panY = 0;
    };

    // Display pixels per native pixel.
    Viewport.prototype.scale = function () {
        return Math.min(this.viewW / this.imageW, this.viewH / this.imageH) * this.zoom;
    };

    // Display position of native (0, 0): centred at zoom 1, then shifted by the pan.
    Viewport.prototype.origin = function () {
        var s = this.scale();
        return {
            x: (this.viewW - this.imageW * s) / 2 + this.panX,
            y: (this.viewH - this.imageH * s) / 2 + this.panY
        };
    };

    Viewport.prototype.toNative = function (dx, dy) {
        var s = this.scale(), o = this.origin();
        return { x: (dx - o.x) / s, y: (dy - o.y) / s };
    };

    Viewport.prototype.toDisplay = function (nx, ny) {
        var s = this.scale(), o = this.origin();
        return { x: o.x + nx * s, y: o.y + ny * s };
    };

    // The pixel index under a display point, or null when it falls outside the image.
    Viewport.prototype.pixelAt = function (dx, dy) {
        var n = this.toNative(dx, dy);
        var x = Math.floor(n.x), y = Math.floor(n.y);
        if (x < 0 || y < 0 || x >= this.imageW || y >= this.imageH) return null;
        return { x: x, y: y };
    };

    // Centre of a pixel in display coordinates (where a point marker is drawn).
    Viewport.prototype.pixelCentre = function (px, py) {
        return this.toDisplay(px + 0.5, py + 0.5);
    };

    // Zoom by `factor` keeping the native point under (dx, dy) fixed on screen.
    Viewport.prototype.zoomAt = function (dx, dy, factor) {
        var before = this.toNative(dx, dy);
        var z = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.zoom * factor));
        if (z === this.zoom) return false;
        this.zoom = z;
        if (z === MIN_ZOOM) { this.panX = 0; this.panY = 0; return true; }
        var after = this.toDisplay(before.x, before.y);
        this.panX += dx - after.x;
        this.panY += dy - after.y;
        this._clampPan();
        return true;
    };

    Viewport.prototype.panBy = function (ddx, ddy) {
        this.panX += ddx;
        this.panY += ddy;
        this._clampPan();
    };

    // Keep at least a quarter of the view covered by the image so it cannot be lost.
    Viewport.prototype._clampPan = function () {
        if (this.zoom === MIN_ZOOM) { this.panX = 0; this.panY = 0; return; }
        var s = this.scale();
        var limX = Math.max(0, (this.imageW * s) / 2 + this.viewW / 4);
        var limY = Math.max(0, (this.imageH * s) / 2 + this.viewH / 4);
        this.panX = Math.max(-limX, Math.min(limX, this.panX));
        this.panY = Math.max(-limY, Math.min(limY, this.panY));
    };

    Viewport.MIN_ZOOM = MIN_ZOOM;
    Viewport.MAX_ZOOM = MAX_ZOOM;

    var api = { Viewport: Viewport };
    if (typeof window !== "undefined") {
        window.easydrag = window.easydrag || {};
        window.easydrag.Viewport = Viewport;
    }
    if (typeof module !== "undefined" && module.exports) module.exports = api;
})();
