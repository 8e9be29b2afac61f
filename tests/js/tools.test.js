// Node tests for the editor's tools: brush sizes, mask opacities, the toolbar's actions.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const tools = require("../../javascript/easydrag_tools.js");

test("a new image's brush is 1/24 of its short side, at least 2 px", () => {
    assert.equal(tools.initialBrush(480, 240), 10);
    assert.equal(tools.initialBrush(16, 900), 2);
});

test("the brush shrinks by 1.25 down to 1 px and grows by at least 1 px up to half the short side", () => {
    assert.equal(tools.smallerBrush(10), 8);
    assert.equal(tools.smallerBrush(1), 1);
    assert.equal(tools.biggerBrush(2, 100, 100), 3, "a small brush still grows");
    assert.equal(tools.biggerBrush(40, 100, 100), 50);
    assert.equal(tools.biggerBrush(50, 100, 100), 50, "capped at half the short side");
    assert.equal(tools.biggerBrush(1, 2, 2), 2, "the cap is never under 2 px");
});

test("opacity cycles through its steps; every toolbar action is named once with a label", () => {
    const seen = [0];
    for (let i = 0; i < tools.OPACITIES.length; i++) seen.push(tools.nextOpacity(seen[seen.length - 1]));
    assert.deepEqual(seen, [0, 1, 2, 0]);
    const actions = tools.TOOLBAR.flat().map((d) => d[0]);
    assert.equal(new Set(actions).size, actions.length);
    assert.ok(tools.TOOLBAR.flat().every((d) => typeof d[1] === "string" && d[1]));
    assert.ok(tools.TOOLS.every((k) => actions.includes(k)) && actions.includes(tools.BRUSH_GROUP));
    assert.deepEqual(tools.MASK_MODES, ["auto", "user", "none"]);
});
