// EasyDrag drawing helpers for a 2D canvas context: point markers, arrows, pair numbers,
// the mask overlay and the brush ring. Shared by the editor and the result view.
// Colours: handles red, targets blue; every mark has a white halo and a dark rim so it
// reads on light and dark images and in the dark theme.
(function () {
    "use strict";
    var ns = window.easydrag = window.easydrag || {};

    var HANDLE = "#e53935";
    var TARGET = "#1e88e5";
    var SELECT = "#ffd600";
    var MARK_R = 6;

    function haloCircle(ctx, x, y, r, fill, opts) {
        opts = opts || {};
        ctx.beginPath();
        ctx.arc(x, y, r + 2.5, 0, Math.PI * 2);
        ctx.fillStyle = "rgba(0,0,0,0.75)";
        ctx.fill();
        ctx.beginPath();
        ctx.arc(x, y, r + 1.5, 0, Math.PI * 2);
        ctx.fillStyle = "#ffffff";
        ctx.fill();
        ctx.beginPath();
        ctx.arc(x, y, r, 0, Math.PI * 2);
        ctx.fillStyle = fill;
        ctx.fill();
        if (opts.dashed) {
            ctx.save();
            ctx.setLineDash([3, 3]);
            ctx.lineWidth = 2;
            ctx.strokeStyle = "#ffffff";
            ctx.beginPath();
            ctx.arc(x, y, r + 6, 0, Math.PI * 2);
            ctx.stroke();
            ctx.restore();
        }
        if (opts.selected) {
            ctx.lineWidth = 2.5;
            ctx.strokeStyle = SELECT;
            ctx.beginPath();
            ctx.arc(x, y, r + 5, 0, Math.PI * 2);
            ctx.stroke();
        }
    }

    function arrow(ctx, a, b, color, faint) {
        var dx = b.x - a.x, dy = b.y - a.y;
        var len = Math.hypot(dx, dy);
        if (len < 1) return;
        var ux = dx / len, uy = dy / len;
        // Stop short of the target marker so the head stays visible.
        var tip = { x: b.x - ux * (MARK_R + 3), y: b.y - uy * (MARK_R + 3) };
        var head = Math.min(12, len / 2);
        ctx.save();
        ctx.globalAlpha = faint ? 0.5 : 1;
        ctx.lineCap = "round";
        [["rgba(0,0,0,0.7)", 6], ["#ffffff", 4], [color, 2]].forEach(function (s) {
            ctx.strokeStyle = s[0];
            ctx.lineWidth = s[1];
            ctx.beginPath();
            ctx.moveTo(a.x, a.y);
            ctx.lineTo(tip.x, tip.y);
            ctx.moveTo(tip.x - ux * head - uy * head * 0.5, tip.y - uy * head + ux * head * 0.5);
            ctx.lineTo(tip.x, tip.y);
            ctx.lineTo(tip.x - ux * head + uy * head * 0.5, tip.y - uy * head - ux * head * 0.5);
            ctx.stroke();
        });
        ctx.restore();
    }

    function label(ctx, x, y, text) {
        ctx.save();
        ctx.font = "bold 12px sans-serif";
        ctx.textBaseline = "bottom";
        ctx.lineWidth = 3;
        ctx.strokeStyle = "rgba(0,0,0,0.85)";
        ctx.fillStyle = "#ffffff";
        ctx.strokeText(text, x + MARK_R + 3, y - MARK_R - 1);
        ctx.fillText(text, x + MARK_R + 3, y - MARK_R - 1);
        ctx.restore();
    }

    // pairs: [{handle: [x, y], target: [x, y] | null}], view: a Viewport.
    function drawPairs(ctx, view, pairs, selected, opts) {
        opts = opts || {};
        pairs.forEach(function (p, i) {
            var h = view.pixelCentre(p.handle[0], p.handle[1]);
            var t = p.target ? view.pixelCentre(p.target[0], p.target[1]) : null;
            if (t) arrow(ctx, h, t, opts.arrowColor || "#ffca28", opts.faint);
        });
        // Targets first, handles on top: a handle that arrived at its target stays visible.
        pairs.forEach(function (p, i) {
            if (!p.target) return;
            var t = view.pixelCentre(p.target[0], p.target[1]);
            haloCircle(ctx, t.x, t.y, MARK_R, TARGET, { selected: i === selected });
        });
        pairs.forEach(function (p, i) {
            var h = view.pixelCentre(p.handle[0], p.handle[1]);
            // In the result view a handle alone is a tracked position, not an unfinished pair.
            var unfinished = !p.target && !opts.handlesOnly;
            haloCircle(ctx, h.x, h.y, MARK_R, HANDLE, { dashed: unfinished, selected: i === selected });
            label(ctx, h.x, h.y, unfinished ? (i + 1) + "?" : String(i + 1));
        });
    }

    function drawImage(ctx, view, img) {
        var o = view.origin(), s = view.scale();
        // Crisp pixels whenever the image is enlarged (pixel art, 32 px results), so the
        // exact native pixel under a point is visible; smoothing only when shrinking.
        ctx.imageSmoothingEnabled = s < 1;
        ctx.drawImage(img, o.x, o.y, view.imageW * s, view.imageH * s);
    }

    function brushRing(ctx, x, y, r, erase) {
        ctx.save();
        ctx.lineWidth = 3;
        ctx.strokeStyle = "rgba(0,0,0,0.8)";
        ctx.beginPath();
        ctx.arc(x, y, r, 0, Math.PI * 2);
        ctx.stroke();
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = erase ? "#ff80ab" : "#ffffff";
        if (erase) ctx.setLineDash([4, 3]);
        ctx.beginPath();
        ctx.arc(x, y, r, 0, Math.PI * 2);
        ctx.stroke();
        ctx.restore();
    }

    // Paint a rectangle of a MaskBitmap into an RGBA overlay canvas (native size).
    function paintMaskRect(maskCanvas, mask, rect) {
        var x = rect ? rect.x : 0, y = rect ? rect.y : 0;
        var w = rect ? rect.w : mask.width, h = rect ? rect.h : mask.height;
        var ctx = maskCanvas.getContext("2d");
        var img = ctx.createImageData(w, h);
        var d = img.data;
        for (var j = 0; j < h; j++) {
            var row = (y + j) * mask.width + x;
            for (var i = 0; i < w; i++) {
                var k = (j * w + i) * 4;
                if (mask.data[row + i]) { d[k] = 0; d[k + 1] = 230; d[k + 2] = 118; d[k + 3] = 255; }
            }
        }
        ctx.putImageData(img, x, y);
    }

    ns.draw = {
        HANDLE: HANDLE, TARGET: TARGET, MARK_R: MARK_R,
        drawPairs: drawPairs, drawImage: drawImage, brushRing: brushRing,
        paintMaskRect: paintMaskRect, haloCircle: haloCircle, arrow: arrow, label: label
    };
})();
