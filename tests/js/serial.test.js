// Node tests for the JSON exchanged with Python.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { EditorState } = require("../../javascript/easydrag_state.js");
const serial = require("../../javascript/easydrag_serial.js");

const pt = (x, y) => ({ x, y });
const PNG = "data:image/png;base64,iVBORw0KGgo=";

test("payload holds complete pairs in native pixels, the mask and the size", () => {
    const st = new EditorState(640, 480);
    st.addPair(pt(10, 20), pt(30, 40));
    st.pairs.push({ handle: [5, 5], target: null });
    const p = serial.toPayload(st, PNG);
    assert.deepEqual(p, { points: [[10, 20, 30, 40]], mask: PNG, size: [640, 480] });
    assert.equal(serial.toPayload(st, "").mask, null);
    assert.deepEqual(JSON.parse(JSON.stringify(p)), p, "survives a JSON round trip");
});

test("parsePayload accepts what toPayload writes and empty text", () => {
    const text = JSON.stringify({ points: [[1, 2, 3, 4]], mask: null, size: [8, 6] });
    assert.deepEqual(serial.parsePayload(text), { points: [[1, 2, 3, 4]], mask: null, size: [8, 6] });
    assert.deepEqual(serial.parsePayload("  "), { points: [], mask: null, size: null });
    assert.deepEqual(serial.parsePayload({ points: [] }), { points: [], mask: null, size: null });
});

test("parsePayload rejects malformed input with clear messages", () => {
    assert.throws(() => serial.parsePayload("{"), /not valid JSON/);
    assert.throws(() => serial.parsePayload("[]"), /must be an object/);
    assert.throws(() => serial.parsePayload('{"points": 3}'), /list of \[hx, hy, tx, ty\]/);
    assert.throws(() => serial.parsePayload('{"points": [[1, 2, 3]]}'), /pair 1 must be/);
    assert.throws(() => serial.parsePayload('{"points": [[1, 2, 3, "4"]]}'), /pair 1 must be/);
    assert.throws(() => serial.parsePayload('{"points": [], "size": [0, 4]}'), /size/);
    assert.throws(() => serial.parsePayload('{"points": [], "mask": "hello"}'), /data URL/);
});

test("loadPayload replaces the pairs as one undoable edit", () => {
    const st = new EditorState(100, 80);
    st.addPair(pt(1, 1), pt(2, 2));
    const n = serial.loadPayload(st, serial.parsePayload('{"points": [[10, 20, 30, 40], [0, 0, 99, 79]], "size": [100, 80]}'));
    assert.equal(n, 2);
    assert.deepEqual(st.pairs.map((p) => p.handle.concat(p.target)), [[10, 20, 30, 40], [0, 0, 99, 79]]);
    st.undo();
    assert.deepEqual(st.pairs.map((p) => p.handle.concat(p.target)), [[1, 1, 2, 2]]);
});

test("loadPayload scales points saved for another size (non-square) to the current image", () => {
    const st = new EditorState(512, 256);
    serial.loadPayload(st, { points: [[0, 0, 1023, 511], [100, 50, 200, 150]], mask: null, size: [1024, 512] });
    assert.deepEqual(st.pairs.map((p) => p.handle.concat(p.target)), [[0, 0, 511, 255], [50, 25, 100, 75]]);
});

test("loadPayload rejects points outside the image", () => {
    const st = new EditorState(100, 80);
    assert.throws(() => serial.loadPayload(st, { points: [[10, 10, 150, 10]], mask: null, size: null }), /pair 1 lies outside/);
    assert.equal(st.pairs.length, 0, "nothing changed");
});

test("parseResult validates final handles and keeps live-view fields", () => {
    const r = serial.parseResult('{"final_handles": [[1.5, 2]], "mask_heat": null, "size": [4, 4]}');
    assert.deepEqual(r.final_handles, [[1.5, 2]]);
    assert.equal(r.running, false);
    const live = serial.parseResult({ final_handles: [], running: true, step: 3, steps: 10, preview: PNG });
    assert.deepEqual([live.running, live.step, live.steps, live.preview], [true, 3, 10, PNG]);
    assert.equal(serial.parseResult(""), null);
    assert.throws(() => serial.parseResult('{"final_handles": [[1]]}'), /final handle 1/);
    assert.throws(() => serial.parseResult('{"final_handles": [], "mask_heat": 5}'), /mask_heat/);
});
