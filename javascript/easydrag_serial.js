// EasyDrag serialisation: the JSON exchanged with Python through hidden textboxes.
// Pure logic, loadable by Node.
//
// To Python (#easydrag_points_json):
//   {"points": [[hx, hy, tx, ty], ...], "mask": <PNG data URL or null>, "size": [w, h]}
//   native pixel indices; unfinished pairs are never included.
// From Python (#easydrag_result_json):
//   {"final_handles": [[x, y], ...], "mask_heat": <PNG data URL or null>, "size": [w, h]}
//   optional live-view fields while running: "running": true, "step", "steps", "preview".
(function () {
    "use strict";

    function fail(msg) { throw new Error("EasyDrag: " + msg); }

    function isNum(v) { return typeof v === "number" && isFinite(v); }

    function checkSize(size, what) {
        if (!Array.isArray(size) || size.length !== 2 || !size.every(function (v) { return Number.isInteger(v) && v > 0; })) {
            fail(what + " \"size\" must be [width, height] in positive whole pixels, got " + JSON.stringify(size));
        }
        return [size[0], size[1]];
    }

    function checkDataUrl(v, what) {
        if (v === null || v === undefined || v === "") return null;
        if (typeof v !== "string" || !/^data:image\/[a-z+]+;base64,/.test(v)) {
            fail(what + " must be an image data URL or null");
        }
        return v;
    }

    function parseJSON(text, what) {
        if (typeof text !== "string") return text;
        try { return JSON.parse(text); } catch (e) { fail(what + " is not valid JSON (" + e.message + ")"); }
    }

    function toPayload(state, maskDataUrl) {
        return {
            points: state.completePairs().map(function (p) { return [p.handle[0], p.handle[1], p.target[0], p.target[1]]; }),
            mask: maskDataUrl || null,
            size: [state.width, state.height]
        };
    }

    // Validate a points payload (string or object). Empty text means "no points".
    function parsePayload(text) {
        if (typeof text === "string" && text.trim() === "") return { points: [], mask: null, size: null };
        var obj = parseJSON(text, "points JSON");
        if (!obj || typeof obj !== "object" || Array.isArray(obj)) fail("points JSON must be an object with \"points\"");
        var pts = obj.points === undefined ? [] : obj.points;
        if (!Array.isArray(pts)) fail("\"points\" must be a list of [hx, hy, tx, ty]");
        var points = pts.map(function (p, i) {
            if (!Array.isArray(p) || p.length !== 4 || !p.every(isNum)) {
                fail("pair " + (i + 1) + " must be [hx, hy, tx, ty] numbers, got " + JSON.stringify(p));
            }
            return p.slice();
        });
        var size = (obj.size === null || obj.size === undefined) ? null : checkSize(obj.size, "points JSON");
        return { points: points, mask: checkDataUrl(obj.mask, "\"mask\""), size: size };
    }

    // Map pixel indices between two image sizes (e.g. points saved for a 1024 px image
    // restored on its 512 px copy): pixel centres map to pixel centres.
    function scalePoint(x, y, from, to) {
        return {
            x: (x + 0.5) * to[0] / from[0],
            y: (y + 0.5) * to[1] / from[1]
        };
    }

    // Replace the pairs with a payload's points as one undoable edit. Points outside the
    // image are rejected rather than silently moved.
    function loadPayload(state, payload) {
        var from = payload.size || [state.width, state.height];
        var pairs = payload.points.map(function (p, i) {
            var h = scalePoint(p[0], p[1], from, [state.width, state.height]);
            var t = scalePoint(p[2], p[3], from, [state.width, state.height]);
            [h, t].forEach(function (q) {
                if (q.x < 0 || q.y < 0 || q.x > state.width || q.y > state.height) {
                    fail("pair " + (i + 1) + " lies outside the " + from[0] + "x" + from[1] + " image");
                }
            });
            return { handle: state.clampPoint(h), target: state.clampPoint(t) };
        });
        state._edit(function () { this.pairs = pairs; this.selected = -1; });
        return pairs.length;
    }

    function parseResult(text) {
        if (typeof text === "string" && text.trim() === "") return null;
        var obj = parseJSON(text, "result JSON");
        if (!obj || typeof obj !== "object" || Array.isArray(obj)) fail("result JSON must be an object");
        var fh = obj.final_handles === undefined || obj.final_handles === null ? [] : obj.final_handles;
        if (!Array.isArray(fh)) fail("\"final_handles\" must be a list of [x, y]");
        var handles = fh.map(function (p, i) {
            if (!Array.isArray(p) || p.length !== 2 || !p.every(isNum)) fail("final handle " + (i + 1) + " must be [x, y] numbers");
            return p.slice();
        });
        return {
            final_handles: handles,
            mask_heat: checkDataUrl(obj.mask_heat, "\"mask_heat\""),
            size: (obj.size === null || obj.size === undefined) ? null : checkSize(obj.size, "result JSON"),
            running: obj.running === true,
            step: isNum(obj.step) ? obj.step : null,
            steps: isNum(obj.steps) ? obj.steps : null,
            phase: typeof obj.phase === "string" && obj.phase ? obj.phase : null,
            preview: checkDataUrl(obj.preview, "\"preview\"")
        };
    }

    var api = { toPayload: toPayload, parsePayload: parsePayload, loadPayload: loadPayload, parseResult: parseResult, scalePoint: scalePoint };
    if (typeof window !== "undefined") {
        window.easydrag = window.easydrag || {};
        window.easydrag.serial = api;
    }
    if (typeof module !== "undefined" && module.exports) module.exports = api;
})();
