// Node tests for the status line under the canvas.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { EditorState } = require("../../javascript/easydrag_state.js");
const { MaskBitmap } = require("../../javascript/easydrag_mask.js");
const { statusLine } = require("../../javascript/easydrag_status.js");

const pt = (x, y) => ({ x, y });

test("without an image only the message shows", () => {
    const line = statusLine(new EditorState(), { hasImage: false, maskMode: "auto", message: "hello" });
    assert.deepEqual(line, { text: "hello", warn: false });
});

test("pairs, a handle already on its target, an unfinished pair, zoom and size", () => {
    const st = new EditorState(300, 200);
    st.addPair(pt(10, 20), pt(30, 40));
    st.addPair(pt(5, 5), pt(5, 5));
    st.pairs.push({ handle: [1, 1], target: null });
    const line = statusLine(st, { hasImage: true, maskMode: null, zoom: 2, message: "" });
    assert.equal(line.text, "2 pairs · 1 unfinished (not sent): click its target · pair 2: handle on its target, "
        + "nothing to move · zoom 200% · 300×200");
    assert.equal(line.warn, false);
    st.pairs.length = 1;
    assert.equal(statusLine(st, { hasImage: true, zoom: 1 }).text, "1 pair · 300×200");
});

test("a painted mask that the mask mode ignores is a warning; mode user is not", () => {
    const st = new EditorState(8, 8);
    const m = new MaskBitmap(8, 8);
    m.data[0] = 1;
    st.mask = m;
    const auto = statusLine(st, { hasImage: true, maskMode: "auto" });
    assert.equal(auto.warn, true);
    assert.match(auto.text, /^0 pairs · mask 1 px · mask mode: auto · 8×8 · auto mode ignores the painted mask/);
    assert.equal(statusLine(st, { hasImage: true, maskMode: "none" }).warn, true);
    assert.equal(statusLine(st, { hasImage: true, maskMode: "user" }).warn, false);
    const de = statusLine(st, { hasImage: true, maskMode: "user" }, (s) => s.toUpperCase());
    assert.match(de.text, /^0 PAIRS · MASK 1 px · MASK MODE: USER/, "every word goes through the translation");
});
