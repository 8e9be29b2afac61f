// Node tests for the standalone app's run progress: what a poll answer shows, and when polling ends.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { describe, Poller } = require("../../javascript/easydrag_progress.js");

test("a poll answer becomes 'Phase step/steps', a fraction, and a live frame that keeps the last handles", () => {
    assert.equal(describe({ running: false }), null);
    const d = describe({ running: true, phase: "Dragging", step: 12, steps: 50, final_handles: [[3, 4]], size: [32, 32] });
    assert.equal(d.text, "Dragging 12/50");
    assert.equal(d.fraction, 0.24);
    assert.deepEqual(d.frame, { final_handles: [[3, 4]], step: 12, steps: 50, size: [32, 32], phase: "Dragging" });
    const inv = describe({ running: true, phase: "Inverting", step: 3, steps: 35, final_handles: [] }, [[1, 2]]);
    assert.equal(inv.text, "Inverting 3/35");
    assert.deepEqual(inv.frame.final_handles, [[1, 2]], "no handles in this phase: the last ones stay");
    const start = describe({ running: true });
    assert.equal(start.text, "Starting…");
    assert.equal(start.frame.step, null);
});

test("polling ends when the run has come and gone, or when it never starts", async () => {
    const answers = [{ running: false }, { running: true, phase: "Inverting", step: 1, steps: 2 },
        { running: true, phase: "Dragging", step: 1, steps: 3, final_handles: [[1, 1]] }, { running: false }];
    const seen = [];
    let ended = 0;
    const p = new Poller(async () => answers.shift(), "u", (d) => seen.push(d.text), () => { ended += 1; }, { idleLimit: 5 });
    while (await p.poll()) { /* next */ }
    assert.deepEqual(seen, ["Inverting 1/2", "Dragging 1/3"]);
    assert.equal(ended, 1);
    let idleEnded = 0, polls = 0;
    const q = new Poller(async () => { polls += 1; return { running: false }; }, "u", () => {}, () => { idleEnded += 1; }, { idleLimit: 3 });
    while (await q.poll()) { /* next */ }
    assert.equal(polls, 3, "a run refused before it starts (no points) stops the poll after idleLimit answers");
    assert.equal(idleEnded, 1);
});

test("the engine's text and overall fraction win over the phase's own step count", () => {
    const d = describe({ running: true, phase: "Encoding", step: 0, steps: 1, text: "Encoding…", fraction: 0.02 });
    assert.equal(d.text, "Encoding…");
    assert.equal(d.fraction, 0.02, "the bar shows the whole drag's progress, not 0/1 of the encode");
    const late = describe({ running: true, phase: "Denoising", step: 1, steps: 7, text: "Denoising 1/7", fraction: 0.9 });
    assert.equal(late.fraction, 0.9);
});
