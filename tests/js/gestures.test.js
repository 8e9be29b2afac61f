// Node tests for turning pointer gestures into pairs.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { EditorState } = require("../../javascript/easydrag_state.js");
const { Gestures } = require("../../javascript/easydrag_gestures.js");
const { toPayload } = require("../../javascript/easydrag_serial.js");

const pt = (x, y) => ({ x, y });
const plain = (st) => st.pairs.map((p) => [p.handle, p.target]);
const setup = () => { const st = new EditorState(200, 100); return { st, g: new Gestures(st) }; };

test("press-drag-release creates one complete pair in one edit; the target follows the pointer", () => {
    const { st, g } = setup();
    assert.equal(g.down(pt(10.2, 20.7), 5, 3), "new");
    assert.deepEqual(plain(st), [[[10, 20], null]], "before moving the pair is unfinished");
    g.move(pt(40, 30));
    assert.deepEqual(st.pairs[0].target, [40, 30], "arrow follows pointer");
    g.move(pt(60, 35));
    assert.equal(g.up(pt(61.5, 36.5)), "added");
    assert.deepEqual(plain(st), [[[10, 20], [61, 36]]]);
    assert.equal(st.selected, 0);
    st.undo();
    assert.deepEqual(plain(st), [], "one undo removes the whole pair");
});

test("click handle then click target creates a pair in two edits", () => {
    const { st, g } = setup();
    g.down(pt(10, 10), 5, 3);
    assert.equal(g.up(pt(11, 10)), "unfinished", "a move under the threshold is still a click");
    assert.deepEqual(plain(st), [[[10, 10], null]]);
    assert.deepEqual(toPayload(st, null).points, [], "unfinished pairs are never sent");
    assert.equal(g.down(pt(80, 50), 5, 3), "target");
    assert.equal(g.up(pt(80, 50)), "completed");
    assert.deepEqual(plain(st), [[[10, 10], [80, 50]]]);
    st.undo();
    assert.deepEqual(plain(st), [[[10, 10], null]], "undo returns to the unfinished pair");
    st.undo();
    assert.deepEqual(plain(st), []);
    st.redo(); st.redo();
    assert.deepEqual(plain(st), [[[10, 10], [80, 50]]]);
});

test("dragging a handle or target moves it (one edit); a click only selects", () => {
    const { st, g } = setup();
    st.addPair(pt(10, 10), pt(50, 10));
    st.addPair(pt(10, 60), pt(50, 60));
    st.select(-1);
    const undoDepth = st.undoStack.length;
    assert.equal(g.down(pt(50.5, 60.5), 4, 2), "move");
    assert.equal(st.selected, 1);
    assert.equal(g.up(pt(51, 60)), "selected");
    assert.deepEqual(plain(st)[1], [[10, 60], [50, 60]]);
    assert.equal(st.undoStack.length, undoDepth, "selection is not an edit");
    g.down(pt(10.5, 10.5), 4, 2);
    g.move(pt(20, 15));
    assert.equal(g.up(pt(25, 18)), "moved");
    assert.deepEqual(plain(st)[0], [[25, 18], [50, 10]]);
    st.undo();
    assert.deepEqual(plain(st)[0], [[10, 10], [50, 10]]);
});

test("hit test picks the nearest point within the radius; targets win exact ties", () => {
    const { st, g } = setup();
    st.addPair(pt(10, 10), pt(10, 10));
    st.addPair(pt(30, 30), pt(36, 30));
    assert.deepEqual(g.hitTest(pt(10.5, 10.5), 3), { index: 0, which: "target" });
    assert.deepEqual(g.hitTest(pt(34, 30.5), 5), { index: 1, which: "target" });
    assert.deepEqual(g.hitTest(pt(32, 30.5), 5), { index: 1, which: "handle" });
    assert.equal(g.hitTest(pt(100, 90), 5), null);
});

test("pressing a new handle while a pair is unfinished places that pair's target instead", () => {
    const { st, g } = setup();
    g.down(pt(5, 5), 2, 2); g.up(pt(5, 5));
    g.down(pt(100, 50), 2, 2); g.move(pt(120, 60)); g.up(pt(150, 70));
    assert.deepEqual(plain(st), [[[5, 5], [150, 70]]]);
});

test("cancel restores the state before the gesture and records nothing", () => {
    const { st, g } = setup();
    st.addPair(pt(10, 10), pt(50, 10));
    const depth = st.undoStack.length;
    g.down(pt(10.5, 10.5), 4, 2); g.move(pt(90, 90));
    assert.equal(g.cancel(), true);
    assert.deepEqual(plain(st), [[[10, 10], [50, 10]]]);
    g.down(pt(150, 50), 4, 2); g.move(pt(160, 60));
    g.cancel();
    assert.deepEqual(plain(st), [[[10, 10], [50, 10]]]);
    assert.equal(st.undoStack.length, depth);
    assert.equal(g.cancel(), false);
    assert.equal(st.canUndo(), true, "undo is available again after the gesture ends");
});

test("undo is refused while a gesture is in progress", () => {
    const { st, g } = setup();
    st.addPair(pt(1, 1), pt(2, 2));
    g.down(pt(100, 50), 2, 2);
    assert.equal(st.undo(), false);
    g.up(pt(120, 50));
    assert.equal(st.pairs.length, 2);
});

test("dropUnfinished removes only the unfinished pair, undoably", () => {
    const { st, g } = setup();
    st.addPair(pt(1, 1), pt(2, 2));
    assert.equal(g.dropUnfinished(), false);
    g.down(pt(50, 50), 2, 2); g.up(pt(50, 50));
    assert.equal(g.dropUnfinished(), true);
    assert.deepEqual(plain(st), [[[1, 1], [2, 2]]]);
    st.undo();
    assert.deepEqual(plain(st), [[[1, 1], [2, 2]], [[50, 50], null]]);
});

test("while dragging outside the image the arrow stays on its edge; released there, nothing is added", () => {
    const { st, g } = setup();
    g.down(pt(190, 90), 2, 2); g.move(pt(400, -30));
    assert.deepEqual(plain(st), [[[190, 90], [199, 0]]], "the live arrow is clamped for display");
    assert.equal(g.up(pt(400, -30)), "outside");
    assert.deepEqual(plain(st), []);
});

test("a long undo/redo sequence over mixed gestures replays exactly", () => {
    const { st, g } = setup();
    const states = [JSON.stringify(plain(st))];
    const steps = [
        () => { g.down(pt(10, 10), 3, 2); g.move(pt(30, 10)); g.up(pt(30, 10)); },
        () => { g.down(pt(60, 60), 3, 2); g.up(pt(60, 60)); },
        () => { g.down(pt(90, 60), 3, 2); g.up(pt(90, 60)); },
        () => { g.down(pt(10.5, 10.5), 3, 2); g.move(pt(12, 40)); g.up(pt(12, 40)); },
        () => { st.select(0); st.deleteSelected(); },
        () => { st.addPair(pt(5, 5), pt(6, 6)); },
    ];
    for (const s of steps) { s(); states.push(JSON.stringify(plain(st))); }
    for (let i = states.length - 2; i >= 0; i--) { assert.equal(st.undo(), true); assert.equal(JSON.stringify(plain(st)), states[i]); }
    for (let i = 1; i < states.length; i++) { assert.equal(st.redo(), true); assert.equal(JSON.stringify(plain(st)), states[i]); }
});

test("a press in the letterbox places nothing, and a drag released off the image is undone", () => {
    const { st, g } = setup();
    assert.equal(g.down(pt(-3, 40), 5, 3), "outside");
    assert.equal(g.down(pt(50, 100.5), 5, 3), "outside", "y = height is below the last row");
    assert.deepEqual(plain(st), [], "never clamped onto the edge");
    assert.equal(st.canUndo(), false, "no edit recorded");
    // a new pair dragged off the image
    g.down(pt(10, 10), 5, 3);
    g.move(pt(150, 50));
    assert.equal(g.up(pt(250, 50)), "outside");
    assert.deepEqual(plain(st), []);
    // an existing target dragged off the image keeps its place
    st.addPair(pt(10, 10), pt(50, 10));
    g.down(pt(50.5, 10.5), 4, 2);
    g.move(pt(120, 20));
    assert.equal(g.up(pt(120, -4)), "outside");
    assert.deepEqual(plain(st), [[[10, 10], [50, 10]]]);
    // a point near the edge can still be grabbed from just outside (hit radius)
    st.addPair(pt(0, 50), pt(30, 50));
    assert.equal(g.down(pt(-1, 50.5), 4, 2), "move");
});
