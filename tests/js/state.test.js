// Node tests for the EasyDrag editor state: pairs, edits, undo/redo, mask history.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { EditorState } = require("../../javascript/easydrag_state.js");
const { MaskBitmap } = require("../../javascript/easydrag_mask.js");

const pt = (x, y) => ({ x, y });
const plain = (st) => st.pairs.map((p) => [p.handle, p.target]);

test("points snap to native pixel indices and clamp inside the image", () => {
    const st = new EditorState(300, 200);
    assert.deepEqual(st.clampPoint(pt(10.9, 20.1)), [10, 20]);
    assert.deepEqual(st.clampPoint(pt(-5, 250)), [0, 199]);
    assert.deepEqual(st.clampPoint(pt(300, 199.99)), [299, 199]);
    assert.throws(() => st.clampPoint(pt(NaN, 1)), /finite/);
});

test("image size must be positive integers", () => {
    assert.throws(() => new EditorState(0, 10), /positive integers/);
    assert.throws(() => new EditorState(10.5, 10), /positive integers/);
    const st = new EditorState();
    assert.throws(() => st.addPair(pt(1, 1), pt(2, 2)), /load an image/);
});

test("addPair, setPoint, deletePair are single undoable edits", () => {
    const st = new EditorState(100, 50);
    st.addPair(pt(1, 2), pt(3, 4));
    st.addPair(pt(10, 20), pt(30, 40));
    st.setPoint(0, "target", pt(5, 6));
    assert.deepEqual(plain(st), [[[1, 2], [5, 6]], [[10, 20], [30, 40]]]);
    st.deletePair(1);
    assert.deepEqual(plain(st), [[[1, 2], [5, 6]]]);
    assert.equal(st.undo(), true);
    assert.deepEqual(plain(st), [[[1, 2], [5, 6]], [[10, 20], [30, 40]]]);
    assert.equal(st.undo(), true);
    assert.deepEqual(plain(st), [[[1, 2], [3, 4]], [[10, 20], [30, 40]]]);
    assert.equal(st.redo(), true);
    assert.equal(st.redo(), true);
    assert.deepEqual(plain(st), [[[1, 2], [5, 6]]]);
    assert.equal(st.redo(), false, "nothing left to redo");
    assert.throws(() => st.deletePair(3), /no pair number 4/);
});

test("a new edit after undo discards the redo branch", () => {
    const st = new EditorState(64, 64);
    st.addPair(pt(1, 1), pt(2, 2));
    st.addPair(pt(3, 3), pt(4, 4));
    st.undo();
    st.addPair(pt(5, 5), pt(6, 6));
    assert.equal(st.canRedo(), false);
    assert.deepEqual(plain(st), [[[1, 1], [2, 2]], [[5, 5], [6, 6]]]);
    st.undo(); st.undo();
    assert.deepEqual(plain(st), []);
    assert.equal(st.undo(), false);
});

test("deleteSelected and clearPoints are undoable; clearing nothing records nothing", () => {
    const st = new EditorState(64, 64);
    assert.equal(st.deleteSelected(), false);
    assert.equal(st.clearPoints(), false);
    assert.equal(st.canUndo(), false);
    st.addPair(pt(1, 1), pt(2, 2));
    st.addPair(pt(3, 3), pt(4, 4));
    st.select(0);
    assert.equal(st.deleteSelected(), true);
    assert.deepEqual(plain(st), [[[3, 3], [4, 4]]]);
    st.clearPoints();
    assert.deepEqual(plain(st), []);
    st.undo();
    assert.deepEqual(plain(st), [[[3, 3], [4, 4]]]);
    st.undo();
    assert.equal(st.pairs.length, 2);
});

test("setImageSize (a new image) resets points, mask and history", () => {
    const st = new EditorState(64, 64);
    st.addPair(pt(1, 1), pt(2, 2));
    st.beginMaskStroke().dab(5, 5, 2, 1);
    st.endMaskStroke();
    st.setImageSize(32, 16);
    assert.deepEqual(st.pairs, []);
    assert.equal(st.mask, null);
    assert.equal(st.canUndo(), false);
    assert.equal(st.width, 32);
});

test("mask strokes and clearMask are undoable edits; empty strokes record nothing", () => {
    const st = new EditorState(40, 30);
    st.beginMaskStroke().line(5, 5, 20, 5, 2, 1);
    assert.equal(st.endMaskStroke(), true);
    const painted = st.mask.count();
    assert.ok(painted > 30);
    st.beginMaskStroke().dab(20, 5, 3, 0); // erase part of it
    st.endMaskStroke();
    assert.ok(st.mask.count() < painted);
    st.undo();
    assert.equal(st.mask.count(), painted);
    st.undo();
    assert.equal(st.mask, null);
    st.redo();
    assert.equal(st.mask.count(), painted);
    assert.equal(st.clearMask(), true);
    assert.equal(st.mask, null);
    st.undo();
    assert.equal(st.mask.count(), painted);
    // Erasing where nothing is painted changes nothing and adds no history.
    const st2 = new EditorState(10, 10);
    st2.beginMaskStroke().dab(3, 3, 2, 0);
    assert.equal(st2.endMaskStroke(), false);
    assert.equal(st2.mask, null);
    assert.equal(st2.canUndo(), false);
});

test("point edits keep the mask and mask edits keep the points", () => {
    const st = new EditorState(40, 30);
    st.addPair(pt(1, 1), pt(2, 2));
    st.beginMaskStroke().dab(10, 10, 3, 1);
    st.endMaskStroke();
    const m = st.mask.count();
    st.addPair(pt(5, 5), pt(6, 6));
    st.undo(); // undo the pair only
    assert.equal(st.mask.count(), m);
    assert.equal(st.pairs.length, 1);
    st.undo(); // undo the stroke only
    assert.equal(st.mask, null);
    assert.equal(st.pairs.length, 1);
});

test("history is bounded", () => {
    const st = new EditorState(10, 10);
    for (let i = 0; i < 250; i++) st.addPair(pt(1, 1), pt(2, 2));
    let n = 0;
    while (st.undo()) n++;
    assert.equal(n, 200);
    assert.equal(st.pairs.length, 50);
});

test("continueFrom moves handles to the tracked positions, keeps targets, drops unfinished, is undoable", () => {
    const st = new EditorState(100, 100);
    st.addPair(pt(10, 10), pt(50, 10));
    st.addPair(pt(10, 80), pt(10, 20));
    st.pairs.push({ handle: [1, 1], target: null });
    st.continueFrom([[30.4, 10], [10, 55.6]]);
    assert.deepEqual(plain(st), [[[30, 10], [50, 10]], [[10, 55], [10, 20]]]);
    assert.equal(st.canUndo(), true);
    st.undo();
    assert.deepEqual(st.pairs[0].handle, [10, 10]);
    assert.throws(() => st.continueFrom([[1, 2]]), /1 handles but the editor has 2 pairs/);
    assert.throws(() => st.continueFrom("x"), /list/);
});

test("MaskBitmap encodes/decodes losslessly and rejects bad runs", () => {
    const m = new MaskBitmap(17, 9);
    m.line(0, 0, 16, 8, 1.5, 1);
    m.dab(3, 7, 2, 1);
    const back = MaskBitmap.decode(17, 9, m.encode());
    assert.deepEqual(Array.from(back.data), Array.from(m.data));
    assert.throws(() => MaskBitmap.decode(4, 4, [10]), /do not cover/);
    assert.throws(() => MaskBitmap.decode(4, 4, [10, 10]), /exceed/);
    assert.throws(() => new MaskBitmap(0, 4), /positive integers/);
});

test("MaskBitmap brush paints a disc of the given radius, clipped to the image", () => {
    const m = new MaskBitmap(20, 20);
    m.dab(10, 10, 3, 1);
    assert.equal(m.get(10, 10), 1);
    assert.equal(m.get(13, 10), 1);
    assert.equal(m.get(14, 10), 0);
    assert.equal(m.get(12, 12), 1); // sqrt(8) <= 3
    assert.equal(m.get(13, 13), 0);
    assert.equal(m.count(), 29); // lattice points in a disc of radius 3
    const edge = new MaskBitmap(5, 5);
    const r = edge.dab(0, 0, 2, 1);
    assert.deepEqual([r.x, r.y, r.w, r.h], [0, 0, 3, 3]);
    assert.equal(edge.dab(-10, -10, 2, 1), null);
});

test("MaskBitmap RGBA round trip: white opaque is masked", () => {
    const m = new MaskBitmap(3, 2);
    m.dab(1, 0, 0.5, 1);
    const rgba = m.toRGBA();
    assert.deepEqual(Array.from(rgba.slice(4, 8)), [255, 255, 255, 255]);
    assert.deepEqual(Array.from(rgba.slice(0, 4)), [0, 0, 0, 255]);
    const back = MaskBitmap.fromRGBA(3, 2, rgba);
    assert.deepEqual(Array.from(back.data), Array.from(m.data));
    assert.throws(() => MaskBitmap.fromRGBA(3, 3, rgba), /does not match/);
});

test("an uploaded mask picture reads white-on-black by luminance, strokes on a clear layer by alpha", () => {
    // 2x1: white opaque, black opaque -> luminance
    let m = MaskBitmap.fromPicture(2, 1, new Uint8ClampedArray([255, 255, 255, 255, 0, 0, 0, 255]));
    assert.deepEqual(Array.from(m.data), [1, 0]);
    // a red stroke (dark luminance) on a transparent layer -> alpha carries the paint
    m = MaskBitmap.fromPicture(2, 1, new Uint8ClampedArray([200, 0, 0, 255, 0, 0, 0, 0]));
    assert.deepEqual(Array.from(m.data), [1, 0]);
    assert.throws(() => MaskBitmap.fromPicture(3, 1, new Uint8ClampedArray(8)), /does not match/);
});

test("continueFrom with dropArrived removes pairs whose handle reached its target, in the same edit", () => {
    const st = new EditorState(100, 100);
    st.addPair(pt(10, 10), pt(30, 10));
    st.addPair(pt(10, 50), pt(40, 50));
    assert.equal(st.continueFrom([[30.6, 10.2], [20, 50]], { dropArrived: true }), 1);
    assert.deepEqual(plain(st), [[[20, 50], [40, 50]]], "no zero-length pair left");
    st.undo();
    assert.deepEqual(plain(st), [[[10, 10], [30, 10]], [[10, 50], [40, 50]]]);
    assert.equal(st.continueFrom([[30, 10], [20, 50]]), 0, "without the option every pair stays");
    assert.equal(st.pairs.length, 2);
});
