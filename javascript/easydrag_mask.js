// EasyDrag mask bitmap: a binary mask at the image's native resolution.
// Pure logic (no DOM) so Node's test runner can load it; the canvas layer turns
// it into pixels and PNG data URLs. One byte per pixel: 1 = edit region, 0 = keep.
(function () {
    "use strict";

    function MaskBitmap(width, height, data) {
        if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
            throw new Error("EasyDrag mask: size must be positive integers, got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.data = data || new Uint8Array(width * height);
        if (this.data.length !== width * height) {
            throw new Error("EasyDrag mask: data length " + this.data.length + " does not match " + width + "x" + height);
        }
        // Bumped on every change so snapshots can be cached per version.
        this.version = 0;
    }

    // Paint a filled disc of radius r (native pixels) centred on pixel (cx, cy).
    // Returns the dirty rectangle or null when nothing lies inside the image.
    MaskBitmap.prototype.dab = function (cx, cy, r, value) {
        return this.line(cx, cy, cx, cy, r, value);
    };

    // Paint a stroke segment: every pixel centre within r of the segment (x0,y0)-(x1,y1)
    // gets `value` (1 brush, 0 eraser). Exact capsule test, so fast pointer moves leave no gaps.
    MaskBitmap.prototype.line = function (x0, y0, x1, y1, r, value) {
        var v = value ? 1 : 0;
        r = Math.max(0.5, r);
        var minX = Math.max(0, Math.floor(Math.min(x0, x1) - r));
        var maxX = Math.min(this.width - 1, Math.ceil(Math.max(x0, x1) + r));
        var minY = Math.max(0, Math.floor(Math.min(y0, y1) - r));
        var maxY = Math.min(this.height - 1, Math.ceil(Math.max(y0, y1) + r));
        if (minX > maxX || minY > maxY) return null;
        var dx = x1 - x0, dy = y1 - y0;
        var len2 = dx * dx + dy * dy;
        var r2 = r * r;
        var changed = false;
        for (var y = minY; y <= maxY; y++) {
            for (var x = minX; x <= maxX; x++) {
                // Distance from pixel (x, y) to the segment, using pixel indices as coordinates.
                var t = len2 > 0 ? ((x - x0) * dx + (y - y0) * dy) / len2 : 0;
                t = t < 0 ? 0 : (t > 1 ? 1 : t);
                var px = x0 + t * dx - x, py = y0 + t * dy - y;
                if (px * px + py * py <= r2) {
                    var i = y * this.width + x;
                    if (this.data[i] !== v) { this.data[i] = v; changed = true; }
                }
            }
        }
        if (changed) this.version++;
        return { x: minX, y: minY, w: maxX - minX + 1, h: maxY - minY + 1, changed: changed };
    };

    MaskBitmap.prototype.clear = function () {
        this.data.fill(0);
        this.version++;
    };

    MaskBitmap.prototype.count = function () {
        var n = 0;
        for (var i = 0; i < this.data.length; i++) n += this.data[i];
        return n;
    };

    MaskBitmap.prototype.isEmpty = function () {
        for (var i = 0; i < this.data.length; i++) if (this.data[i]) return false;
        return true;
    };

    MaskBitmap.prototype.get = function (x, y) {
        return this.data[y * this.width + x];
    };

    // Run-length encoding of alternating 0/1 runs, starting with a run of zeros.
    // Compact for brush strokes, so undo history can keep many mask states.
    MaskBitmap.prototype.encode = function () {
        var runs = [];
        var cur = 0, n = 0;
        for (var i = 0; i < this.data.length; i++) {
            if (this.data[i] === cur) { n++; } else { runs.push(n); cur = this.data[i]; n = 1; }
        }
        runs.push(n);
        return runs;
    };

    MaskBitmap.decode = function (width, height, runs) {
        var m = new MaskBitmap(width, height);
        var pos = 0, cur = 0;
        for (var k = 0; k < runs.length; k++) {
            var end = pos + runs[k];
            if (end > m.data.length) throw new Error("EasyDrag mask: encoded runs exceed the image size");
            if (cur) m.data.fill(1, pos, end);
            pos = end;
            cur = 1 - cur;
        }
        if (pos !== m.data.length) throw new Error("EasyDrag mask: encoded runs do not cover the image");
        return m;
    };

    // Build from RGBA pixels (e.g. a decoded PNG): a pixel is in the mask when it is
    // bright and opaque, so both white-on-black and white-on-transparent PNGs load.
    MaskBitmap.fromRGBA = function (width, height, rgba) {
        if (rgba.length !== width * height * 4) {
            throw new Error("EasyDrag mask: RGBA length does not match " + width + "x" + height);
        }
        var m = new MaskBitmap(width, height);
        for (var i = 0, j = 0; i < m.data.length; i++, j += 4) {
            m.data[i] = (rgba[j] > 127 && rgba[j + 3] > 127) ? 1 : 0;
        }
        return m;
    };

    // An uploaded mask picture -> bitmap, by whichever channel carries the paint: when some
    // pixels are transparent the alpha does (painted strokes on a clear layer), otherwise
    // the luminance (white = may change, the format the tab exports).
    MaskBitmap.fromPicture = function (width, height, rgba) {
        if (rgba.length !== width * height * 4) {
            throw new Error("EasyDrag mask: RGBA length does not match " + width + "x" + height);
        }
        var useAlpha = false;
        for (var a = 3; a < rgba.length; a += 4) if (rgba[a] < 128) { useAlpha = true; break; }
        var m = new MaskBitmap(width, height);
        for (var i = 0, j = 0; i < m.data.length; i++, j += 4) {
            var lum = 0.299 * rgba[j] + 0.587 * rgba[j + 1] + 0.114 * rgba[j + 2];
            m.data[i] = (useAlpha ? rgba[j + 3] > 127 : lum > 127) ? 1 : 0;
        }
        return m;
    };

    // Fill an RGBA buffer for export: white opaque where masked, black opaque elsewhere.
    MaskBitmap.prototype.toRGBA = function (out) {
        var buf = out || new Uint8ClampedArray(this.width * this.height * 4);
        for (var i = 0, j = 0; i < this.data.length; i++, j += 4) {
            var c = this.data[i] ? 255 : 0;
            buf[j] = c; buf[j + 1] = c; buf[j + 2] = c; buf[j + 3] = 255;
        }
        return buf;
    };

    var api = { MaskBitmap: MaskBitmap };
    if (typeof window !== "undefined") {
        window.easydrag = window.easydrag || {};
        window.easydrag.MaskBitmap = MaskBitmap;
    }
    if (typeof module !== "undefined" && module.exports) module.exports = api;
})();
