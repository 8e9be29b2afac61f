// EasyDrag run progress for pages without the WebUI's requestProgress (the standalone
// app): a progress line over the result, phase and step ("Dragging 12/50") polled from
// ./easydrag/v1/live, and the tracked handles moving in the result view.
// Classic script: easydrag_standalone_submit is the Run button's _js hook.
(function () {
    "use strict";
    var ns = typeof window !== "undefined" ? (window.easydrag = window.easydrag || {}) : {};

    // One poll answer -> what the progress line shows, and a live frame for the result view
    // (the handles stay where they were last seen while a phase reports none). Pure, for Node.
    //   live: {running, phase, step, steps, text, fraction, final_handles, size}; text and
    //   fraction (of the whole drag's estimated work) come from the engine's one definition.
    function describe(live, lastHandles) {
        if (!live || !live.running) return null;
        var phase = live.phase || "Starting";
        var steps = Number(live.steps) || 0, step = Number(live.step) || 0;
        var handles = live.final_handles && live.final_handles.length ? live.final_handles : (lastHandles || []);
        return {
            text: live.text || (steps > 1 ? phase + " " + step + "/" + steps : phase + "…"),
            fraction: typeof live.fraction === "number" ? Math.max(0, Math.min(1, live.fraction))
                : (steps ? Math.min(1, step / steps) : 0),
            frame: { final_handles: handles, step: steps ? step : null, steps: steps || null, size: live.size || null, phase: phase }
        };
    }

    // Poll until the run is over: running seen and gone, or never seen after `idleLimit` polls
    // (a run refused before it started). fetchJson(url) -> Promise of the answer.
    function Poller(fetchJson, url, onUpdate, onEnd, opts) {
        this.fetchJson = fetchJson; this.url = url; this.onUpdate = onUpdate; this.onEnd = onEnd;
        this.every = (opts && opts.every) || 300;
        this.idleLimit = (opts && opts.idleLimit) || 8;
        this.seen = false; this.idle = 0; this.stopped = false;
    }
    Poller.prototype.poll = function () {
        var self = this;
        if (this.stopped) return Promise.resolve(false);
        return this.fetchJson(this.url).then(function (live) {
            var d = describe(live, self.lastHandles);
            if (d) self.lastHandles = d.frame.final_handles;
            if (d) { self.seen = true; self.idle = 0; self.onUpdate(d); return true; }
            self.idle += 1;
            if (self.seen || self.idle >= self.idleLimit) { self.stop(); return false; }
            return true;
        }, function () { self.idle += 1; if (self.idle >= self.idleLimit) self.stop(); return !self.stopped; });
    };
    Poller.prototype.run = function () {
        var self = this;
        this.poll().then(function (more) { if (more && !self.stopped) setTimeout(function () { self.run(); }, self.every); });
    };
    Poller.prototype.stop = function () {
        if (this.stopped) return;
        this.stopped = true;
        this.onEnd();
    };

    var api = { describe: describe, Poller: Poller };
    if (typeof module !== "undefined" && module.exports) module.exports = api;
    ns.progress = api;
    if (typeof document === "undefined") return;

    function app() { return typeof gradioApp === "function" ? gradioApp() : document; }

    var current = null;
    function start() {
        if (current) current.stop();
        var panel = app().querySelector("#easydrag_result_panel") || app().querySelector("#easydrag_results");
        var line = document.createElement("div");
        line.className = "easydrag-progress";
        line.setAttribute("role", "progressbar");
        var bar = document.createElement("div");
        bar.className = "easydrag-progress-bar";
        bar.style.width = "0%";
        var text = document.createElement("span");
        text.className = "easydrag-progress-text";
        text.textContent = ns.t ? ns.t("Waiting…") : "Waiting…";
        line.appendChild(bar); line.appendChild(text);
        if (panel) panel.insertBefore(line, panel.firstChild);
        var bridge = ns.bridge, handles = [];
        try { handles = bridge.state.editor.state.completePairs().map(function (p) { return p.handle; }); } catch (e) { handles = []; }
        // The result view shows the input with its handles from the moment Run is pressed.
        if (bridge && handles.length) bridge.liveFrame({ final_handles: handles, phase: "Starting" });
        var poller = new Poller(function (url) {
            return fetch(url).then(function (r) { return r.ok ? r.json() : null; });
        }, "./easydrag/v1/live", function (d) {
            text.textContent = d.text;
            bar.style.width = Math.round(d.fraction * 100) + "%";
            if (ns.bridge) ns.bridge.liveFrame(d.frame);
        }, function () {
            if (line.parentNode) line.parentNode.removeChild(line);
            if (ns.bridge && ns.bridge.endLive) ns.bridge.endLive();
            if (current === poller) current = null;
        });
        poller.lastHandles = handles;
        current = poller;
        setTimeout(function () { poller.run(); }, 150);
    }
    ns.progress.start = start;
})();

function easydrag_standalone_submit() {
    if (window.easydrag && window.easydrag.progress && window.easydrag.progress.start) window.easydrag.progress.start();
    return Array.from(arguments);
}
