// Node tests for configurable keyboard shortcuts.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { Keymap, parse } = require("../../javascript/easydrag_keys.js");

const ev = (key, mods = {}) => Object.assign({ key, code: "", ctrlKey: false, metaKey: false, altKey: false, shiftKey: false }, mods);

test("default bindings: undo, redo (both forms), delete, brush size", () => {
    const k = new Keymap();
    assert.equal(k.actionFor(ev("z", { ctrlKey: true })), "undo");
    assert.equal(k.actionFor(ev("Z", { ctrlKey: true, shiftKey: true })), "redo");
    assert.equal(k.actionFor(ev("y", { ctrlKey: true })), "redo");
    assert.equal(k.actionFor(ev("z", { metaKey: true })), "undo", "Cmd works as Ctrl");
    assert.equal(k.actionFor(ev("Delete")), "delete");
    assert.equal(k.actionFor(ev("Backspace")), "delete");
    assert.equal(k.actionFor(ev("[")), "smaller");
    assert.equal(k.actionFor(ev("]")), "bigger");
    assert.equal(k.actionFor(ev("b")), "brush");
    assert.equal(k.actionFor(ev("z")), null, "plain z is not undo");
    assert.equal(k.actionFor(ev("b", { ctrlKey: true })), null, "Ctrl+B is left to the browser");
});

test("letters match by physical key on non-Latin layouts", () => {
    const k = new Keymap();
    assert.equal(k.actionFor(ev("я", { code: "KeyZ", ctrlKey: true })), "undo");
});

test("overrides come from opts.easydrag_key_<action>; bad ones fall back to the default", () => {
    const k = new Keymap({ easydrag_key_undo: "Alt+U", easydrag_key_brush: "Ctrl+", easydrag_key_eraser: "  " });
    assert.equal(k.actionFor(ev("u", { altKey: true })), "undo");
    assert.equal(k.actionFor(ev("z", { ctrlKey: true })), null);
    assert.equal(k.actionFor(ev("b")), "brush", "invalid override keeps the default");
    assert.equal(k.actionFor(ev("e")), "eraser", "blank override keeps the default");
    const rows = Object.fromEntries(k.describe().map(([label, text]) => [label, text]));
    assert.equal(rows["Undo"], "Alt+U");
    assert.equal(rows["Mask brush"], "B");
});

test("parse understands names, several bindings and the plus key", () => {
    assert.deepEqual(parse("Ctrl+Shift+Z, Esc"), [
        { ctrl: true, alt: false, shift: true, key: "z" },
        { ctrl: false, alt: false, shift: false, key: "escape" },
    ]);
    assert.deepEqual(parse("Ctrl++")[0], { ctrl: true, alt: false, shift: false, key: "+" });
    assert.deepEqual(parse("Space")[0].key, " ");
    assert.throws(() => parse("Ctrl+Shift"), /has no key/);
});

test("hint gives the first binding of an action for tooltips, overrides included", () => {
    const km = new Keymap({ easydrag_key_brush: "Alt+B" });
    assert.equal(km.hint("brush"), "Alt+B");
    assert.equal(km.hint("redo"), "Ctrl+Shift+Z");
    assert.equal(km.hint("points"), "P");
    assert.equal(km.hint("nonexistent"), "");
});
