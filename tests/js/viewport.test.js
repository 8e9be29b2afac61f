// Node tests for display <-> native coordinate mapping under fit, zoom and pan.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { Viewport } = require("../../javascript/easydrag_viewport.js");

const close = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

test("a wide image is fitted by width and centred vertically (letterbox)", () => {
    const v = new Viewport(1024, 512, 512, 512);
    close(v.scale(), 0.5);
    assert.deepEqual(v.origin(), { x: 0, y: 128 });
    assert.deepEqual(v.pixelAt(0, 128), { x: 0, y: 0 });
    assert.deepEqual(v.pixelAt(511.9, 383.9), { x: 1023, y: 511 });
    assert.equal(v.pixelAt(100, 127.9), null, "letterbox bar is not the image");
    assert.equal(v.pixelAt(100, 384), null);
});

test("a tall image is fitted by height and centred horizontally", () => {
    const v = new Viewport(300, 900, 600, 450);
    close(v.scale(), 0.5);
    assert.deepEqual(v.origin(), { x: 225, y: 0 });
    assert.deepEqual(v.pixelAt(225 + 150 * 0.5, 450 * 0.5), { x: 150, y: 450 });
});

test("toNative and toDisplay are inverse under zoom and pan", () => {
    const v = new Viewport(640, 360, 500, 400);
    v.zoomAt(123, 210, 3.7);
    v.panBy(-40, 25);
    for (const [x, y] of [[0, 0], [17.25, 300.5], [639, 359]]) {
        const d = v.toDisplay(x, y);
        const n = v.toNative(d.x, d.y);
        close(n.x, x, 1e-9); close(n.y, y, 1e-9);
    }
});

test("zoomAt keeps the native point under the cursor fixed", () => {
    const v = new Viewport(800, 600, 400, 300);
    const before = v.toNative(100, 80);
    assert.equal(v.zoomAt(100, 80, 4), true);
    close(v.scale(), 2);
    const after = v.toNative(100, 80);
    close(after.x, before.x); close(after.y, before.y);
    // zoomed 4x: one native pixel spans two display pixels
    const p = v.pixelAt(100, 80);
    const c = v.pixelCentre(p.x, p.y);
    assert.deepEqual(v.pixelAt(c.x - 0.99, c.y + 0.99), p);
});

test("every display pixel maps to the native pixel it shows (exact at native resolution)", () => {
    // 3x zoom of a 7x5 image in a view that fits it exactly: pixel (i, j) covers [3i, 3i+3).
    const v = new Viewport(7, 5, 7, 5);
    v.zoomAt(0, 0, 3);
    close(v.scale(), 3);
    assert.deepEqual(v.pixelAt(0.1, 0.1), { x: 0, y: 0 });
    assert.deepEqual(v.pixelAt(2.99, 2.99), { x: 0, y: 0 });
    assert.deepEqual(v.pixelAt(3.0, 5.9), { x: 1, y: 1 });
});

test("zoom is clamped to [1, 64]; back at 1 the pan resets", () => {
    const v = new Viewport(100, 100, 100, 100);
    assert.equal(v.zoomAt(50, 50, 0.5), false);
    v.zoomAt(10, 10, 1000);
    assert.equal(v.zoom, Viewport.MAX_ZOOM);
    v.zoomAt(10, 10, 1e-6);
    assert.equal(v.zoom, 1);
    assert.deepEqual([v.panX, v.panY], [0, 0]);
});

test("pan is limited so the image stays at least partly in view", () => {
    const v = new Viewport(100, 100, 100, 100);
    v.panBy(500, 0);
    assert.equal(v.panX, 0, "no pan at fit zoom");
    v.zoomAt(50, 50, 2);
    v.panBy(10000, -10000);
    const o = v.origin();
    assert.ok(o.x <= 100 * 0.75 + 1e-9 && o.y + 200 >= 100 * 0.25 - 1e-9);
});

test("resize keeps fit and rejects bad sizes with a clear message", () => {
    const v = new Viewport(200, 100, 100, 100);
    v.resize(400, 400);
    close(v.scale(), 2);
    assert.throws(() => v.resize(0, 10), /view size must be positive/);
    assert.throws(() => new Viewport(0, 5, 10, 10), /image size must be positive/);
});
