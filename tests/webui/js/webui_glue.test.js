// Node tests for javascript/easydrag_webui.js: the functions the WebUI calls, with its
// page helpers (gradioApp, randomId, requestProgress) and the DOM stubbed.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const CODE = fs.readFileSync(path.join(__dirname, "../../../javascript/easydrag_webui.js"), "utf8");

function el(id, classes, children) {
    return {
        id, children: children || [], clicks: 0,
        classList: { contains: (c) => (classes || []).includes(c) },
        click() { this.clicks += 1; },
    };
}

function page(order) {
    // #tabs > [.tab-nav > buttons..., .tabitem#tab_<id>...] like gradio 3.41's Tabs
    const buttons = order.map((id) => el("button_" + id, []));
    const items = order.map((id) => el("tab_" + id, ["tabitem"]));
    const nav = el("", ["tab-nav"], buttons);
    const tabs = el("tabs", [], [nav, ...items]);
    tabs.querySelectorAll = (sel) => (sel === ":scope > .tab-nav > button" ? buttons : []);
    const all = [tabs, ...items];
    const app = {
        querySelector: (sel) => (sel === "#tabs" ? tabs : null),
        getElementById: (id) => all.find((e) => e.id === id) || null,
    };
    return { app, buttons };
}

function load(extra) {
    const ctx = vm.createContext(Object.assign({ Array, Promise }, extra));
    ctx.window = ctx;
    vm.runInContext(CODE, ctx);
    return ctx;
}

test("switch_to_easydrag clicks the EasyDrag tab's button by id and passes its arguments on", () => {
    const { app, buttons } = page(["txt2img", "img2img", "extras", "easydrag", "settings"]);
    const ctx = load({ gradioApp: () => app });
    assert.deepEqual(Array.from(ctx.switch_to_easydrag(1, "a")), [1, "a"]);
    assert.deepEqual(buttons.map((b) => b.clicks), [0, 0, 0, 1, 0]);
});

test("recalculate_prompts_easydrag is defined and returns its arguments", () => {
    const ctx = load({});
    assert.deepEqual(Array.from(ctx.recalculate_prompts_easydrag("x")), ["x"]);
});

test("submit_easydrag starts the host's progress with a task id and feeds live handles to the canvas", async () => {
    const calls = {};
    const frames = [];
    const ctx = load({
        gradioApp: () => ({ getElementById: (id) => ({ id }) }),
        randomId: () => "task(abc)",
        requestProgress: (id, container, gallery, atEnd, onProgress) => {
            Object.assign(calls, { id, container: container.id, gallery: gallery.id, onProgress });
        },
        fetch: async (url) => {
            calls.url = url;
            return { ok: true, json: async () => ({ running: true, step: 2, steps: 5, final_handles: [[1, 2]], size: [64, 64] }) };
        },
    });
    ctx.easydrag = { bridge: { liveFrame: (f) => frames.push(f) } };
    const args = Array.from(ctx.submit_easydrag("", "img", "prompt"));
    assert.deepEqual(args, ["task(abc)", "img", "prompt"]);
    assert.equal(calls.id, "task(abc)");
    assert.equal(calls.container, "easydrag_result_view", "the progress bar goes into the result panel");
    assert.equal(calls.gallery, "easydrag_result_view", "the live preview covers the result view");
    calls.onProgress({ textinfo: "Inverting 3/35" });
    assert.equal(calls.url, undefined, "no poll outside the drag phase");
    calls.onProgress({ textinfo: "Dragging 2/5" });
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(calls.url, "./easydrag/v1/live");
    assert.equal(frames.length, 1);
    assert.deepEqual(JSON.parse(JSON.stringify(frames[0])), { final_handles: [[1, 2]], step: 2, steps: 5, size: [64, 64] });
});
