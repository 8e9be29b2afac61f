// Node tests for the result view's pure parts: the before/after split and the heat overlay.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { beforeShare, heatToOverlay } = require("../../javascript/easydrag_result.js");

test("the slider at 'After' shows only the result, at 'Before' only the input", () => {
    assert.equal(beforeShare(1), 0, "After (right end): no part of the input");
    assert.equal(beforeShare(0), 1, "Before (left end): all input");
    assert.equal(beforeShare(0.25), 0.75, "a quarter towards After: three quarters still input");
    assert.equal(beforeShare(7), 0, "clamped");
    assert.equal(beforeShare(-1), 1, "clamped");
});

test("the heat overlay is transparent where the heat is zero and opaque-ish where it is high", () => {
    const px = new Uint8ClampedArray([0, 0, 0, 255, 255, 255, 255, 255, 128, 128, 128, 255]);
    heatToOverlay(px);
    assert.equal(px[3], 0, "cold: untouched, not darkened");
    assert.deepEqual(Array.from(px.slice(4, 8)), [255, 0, 0, 200], "hot: red");
    assert.ok(px[11] > 0 && px[11] < 200 && px[9] > 0, "warm: partly transparent, yellower");
});
