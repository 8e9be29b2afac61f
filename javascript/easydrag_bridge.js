// EasyDrag bridge: mounts the editor into the tab's gr.HTML #easydrag_canvas and the result
// view into #easydrag_result_view (or under the editor when a page has no such element),
// and talks to Python through hidden components (see docs/canvas.md):
//   #easydrag_points_json  we write the points/mask JSON + an "input" event; Python may
//                          write it too (restoring points), and we load what it wrote;
//   #easydrag_image        the input gr.Image; a new image resets the editor, except the
//                          one that "Use result as input" (#easydrag_use_result) brings;
//   #easydrag_result / #easydrag_result_json   the result image and its JSON;
//   #easydrag_mask_mode    the mask-mode radio (hidden), set from the toolbar's menu;
//   #easydrag_html_info / #easydrag_save   a result that was saved disables Save.
// gradio sets textbox values and image srcs as properties, which fire no DOM events and no
// mutations, so values are polled (cheap string compares every 250 ms).
(function () {
    "use strict";
    var ns = window.easydrag = window.easydrag || {};

    ns.t = function (text) {
        if (typeof getTranslation === "function") {
            var tr = getTranslation(text);
            if (tr) return tr;
        }
        return text;
    };

    function app() {
        return typeof gradioApp === "function" ? gradioApp() : document;
    }
    function q(sel) { var a = app(); return a && a.querySelector ? a.querySelector(sel) : null; }
    function field(id) {
        var box = q("#" + id);
        if (!box) return null;
        return box.matches("textarea, input") ? box : box.querySelector("textarea, input[type=text], input:not([type])");
    }
    function imgSrc(id) {
        var img = q("#" + id + " img[src]");
        return img && img.getAttribute("src") ? img.src : null;
    }
    function writeField(f, text) {
        f.value = text;
        // bubbles: gradio 3.41 and 4.x both listen for "input" to take the new value.
        f.dispatchEvent(new Event("input", { bubbles: true }));
    }

    var S = {
        editor: null, result: null,
        lastWritten: null, lastPointsSeen: null,
        imageSrc: undefined, resultText: null, resultSrc: null,
        keepNextImage: false,
        pending: null,        // points Python wrote, applied once their image is loaded
        loading: false,       // a new input image is loading: external points wait for it
        applying: false, lastResult: null
    };

    function send() {
        var f = field("easydrag_points_json");
        if (!f || !S.editor) return;
        var text = JSON.stringify(S.editor.image ? S.editor.payload() : { points: [], mask: null, size: null });
        S.lastWritten = text;
        S.lastPointsSeen = text;
        if (f.value !== text) writeField(f, text);
    }

    function onEdit(ed, reason) {
        if (!S.applying && reason !== "image") S.pending = null;   // the user took over: forget restored points
        if (reason === "image") {
            // Python may have written points for this image since the last poll (PNG Info's
            // paste lands ~30 ms before the image): read them before overwriting the box;
            // watchImage applies them once the reset is done.
            watchPoints();
            if (S.pending) return;
        }
        send();
    }

    function decodeMask(url, w, h) {
        return new Promise(function (resolve, reject) {
            var img = new Image();
            img.onload = function () {
                var c = document.createElement("canvas");
                c.width = w; c.height = h;
                var ctx = c.getContext("2d");
                ctx.imageSmoothingEnabled = false;
                ctx.drawImage(img, 0, 0, w, h);
                resolve(ns.MaskBitmap.fromRGBA(w, h, ctx.getImageData(0, 0, w, h).data));
            };
            img.onerror = function () { reject(new Error("EasyDrag: the mask image in the points JSON could not be decoded")); };
            img.src = url;
        });
    }

    function applyPayload(payload) {
        var ed = S.editor;
        S.applying = true;
        try {
            ns.serial.loadPayload(ed.state, payload);
            ed.setMessage(ns.t("Points restored") + ": " + payload.points.length);
            ed.changed();
        } catch (e) {
            ed.setMessage(e.message);
        } finally {
            S.applying = false;
        }
        if (!payload.mask) return;
        var st = ed.state, w = st.width, h = st.height;
        decodeMask(payload.mask, w, h).then(function (m) {
            if (ed.state !== st || st.width !== w || st.height !== h) return;
            S.applying = true;
            st._edit(function () { this.mask = m.isEmpty() ? null : m; });
            ed.changed();
            S.applying = false;
        }, function (e) { ed.setMessage(e.message); });
    }

    function onExternalPoints(text) {
        var payload;
        try { payload = ns.serial.parsePayload(text); } catch (e) { if (S.editor) S.editor.setMessage(e.message); return; }
        if (!payload.points.length && !payload.mask) return;   // Python clearing the box
        // Kept as pending too: the image they belong to may still be on its way (applied
        // again, once, after its reset); a user edit forgets them.
        S.pending = payload;
        if (S.editor.image && !S.loading) applyPayload(payload);
    }

    // Runs for Python's own "Use result as input" button too (capture listener below).
    function prepareUseResult() {
        var ed = S.editor, r = S.lastResult;
        S.keepNextImage = true;
        if (r && !r.running && r.final_handles.length && r.final_handles.length === ed.state.completePairs().length) {
            try {
                var dropped = ed.state.continueFrom(r.final_handles, { dropArrived: true });
                ed.changed();
                if (dropped) ed.setMessage(dropped + " " + ns.t(dropped === 1 ? "pair had arrived and was removed" : "pairs had arrived and were removed"));
            } catch (e) { ed.setMessage(e.message); }
        }
    }

    function useResult() {
        var py = q("#easydrag_use_result");
        if (py) {
            var b = py.matches("button") ? py : (py.querySelector("button") || py);
            b.click();   // prepareUseResult runs from the capture listener
            return;
        }
        prepareUseResult();
        var input = q("#easydrag_image input[type=file]");
        if (!input || !S.resultSrc || typeof DataTransfer === "undefined") {
            S.keepNextImage = false;
            S.editor.setMessage(ns.t("This tab has no #easydrag_use_result button to copy the result."));
            return;
        }
        // Fallback: upload the result into the input image like a user would.
        fetch(S.resultSrc).then(function (r) { return r.blob(); }).then(function (blob) {
            var dt = new DataTransfer();
            dt.items.add(new File([blob], "easydrag_result.png", { type: blob.type || "image/png" }));
            input.files = dt.files;
            input.dispatchEvent(new Event("change", { bubbles: true }));
        }).catch(function (e) { S.keepNextImage = false; S.editor.setMessage(e.message); });
    }

    // Every part must be loaded: a page may add the scripts in any order, or late.
    var PARTS = ["Editor", "ResultView", "EditorState", "Gestures", "Viewport", "MaskBitmap", "serial", "keys", "draw", "attachInput"];

    // The toolbar's mask-mode menu sets the tab's (hidden) radio like a click would.
    function setMaskModeRadio(mode) {
        var input = q("#easydrag_mask_mode input[value='" + mode + "']");
        if (input && !input.checked) input.click();
    }

    // "Open image…" / a dropped file: upload it through the tab's gr.Image, so Python,
    // PNG Info and Send-to all see the same component. A filled gr.Image shows no file
    // input until it is cleared, so clear it first.
    function uploadImage(file) {
        var box = q("#easydrag_image");
        if (!box) { S.editor.setImage(URL.createObjectURL(file), false); return; }
        var tries = 0;
        function put() {
            var input = box.querySelector("input[type=file]");
            if (!input) {
                if (tries === 0) {
                    var clear = box.querySelector("button[aria-label='Clear'], button[title='Clear']");
                    if (clear) clear.click();
                }
                if (++tries < 40) { setTimeout(put, 25); return; }
                S.editor.setMessage(ns.t("Could not hand the file to the image upload"));
                return;
            }
            var dt = new DataTransfer();
            dt.items.add(file);
            input.files = dt.files;
            input.dispatchEvent(new Event("change", { bubbles: true }));
        }
        put();
    }

    function mount() {
        var host = q("#easydrag_canvas");
        if (!host || !PARTS.every(function (k) { return ns[k]; })) return false;
        if (!S.editor) {
            S.editor = new ns.Editor(onEdit);
            S.editor.onMaskMode = setMaskModeRadio;
            S.editor.onOpenFile = uploadImage;
            S.result = new ns.ResultView(useResult);
            app().addEventListener("click", function (e) {
                var py = q("#easydrag_use_result");
                if (py && e.target && py.contains(e.target)) prepareUseResult();
            }, true);
        }
        if (!host.contains(S.editor.root)) {
            host.appendChild(S.editor.root);
            S.editor.layout();
        }
        var resultHost = q("#easydrag_result_view") || host;
        if (!resultHost.contains(S.result.root)) resultHost.appendChild(S.result.root);
        return true;
    }

    function watchImage() {
        var src = imgSrc("easydrag_image");
        if (src === S.imageSrc) return;
        S.imageSrc = src;
        var keep = S.keepNextImage && !!src;
        S.keepNextImage = false;
        S.loading = !!src;
        S.editor.setImage(src, keep).then(function (loaded) {
            if (S.imageSrc !== src) return;    // a newer image is loading
            S.loading = false;
            if (!loaded) { if (!src) send(); return; }
            // Points Python wrote for this image (restore from PNG info) may arrive just
            // before or while it loads: apply them after the reset instead of losing them.
            // Only for an image of the size they were saved for, and only once.
            var restore = keep ? null : S.pending;
            S.pending = null;
            var st = S.editor.state;
            if (restore && (!restore.size || (restore.size[0] === st.width && restore.size[1] === st.height))) applyPayload(restore);
            else if (restore) send();    // points for another size: the box gets this image's state
        });
    }

    function watchPoints() {
        var f = field("easydrag_points_json");
        if (!f) return;
        var v = f.value;
        if (v === S.lastWritten || v === S.lastPointsSeen) return;
        S.lastPointsSeen = v;
        onExternalPoints(v);
    }

    function watchResult() {
        var f = field("easydrag_result_json");
        var text = f ? f.value : "";
        var src = imgSrc("easydrag_result");
        if (text === S.resultText && src === S.resultSrc) return;
        S.resultText = text;
        S.resultSrc = src;
        var r = null;
        try { r = ns.serial.parseResult(text); } catch (e) { S.result.status.textContent = e.message; }
        // A new run (first live frame, or a result without live frames): remember what went in.
        if (!S.lastResult || !S.lastResult.running) {
            S.result.setBefore(S.editor.image, S.editor.state.completePairs());
        }
        S.lastResult = r;
        S.result.setResult(r, src);
    }

    // Live view from elsewhere (e.g. the WebUI progress poll in easydrag_webui.js):
    // frame = {final_handles: [[x, y], ...], step, steps, preview: <data URL or null>}.
    // Pass done: true with the last frame to end the live view.
    function liveFrame(frame) {
        if (!S.editor || !frame) return;
        var obj = Object.assign({}, frame, { running: !frame.done });
        delete obj.done;
        var r;
        try { r = ns.serial.parseResult(obj); } catch (e) { S.result.status.textContent = e.message; return; }
        if (!S.lastResult || !S.lastResult.running) S.result.setBefore(S.editor.image, S.editor.state.completePairs());
        S.lastResult = r;
        return S.result.setResult(r, S.resultSrc);
    }

    // The run is over (progress poll ended): leave the live view. If the run's result has
    // not replaced the live frames (an error, an interrupt), show the last real result again.
    function endLive() {
        if (!S.editor || !S.lastResult || !S.lastResult.running) return;
        var r = null;
        try { r = ns.serial.parseResult(S.resultText || ""); } catch (e) { r = null; }
        if (r && r.running) r = null;
        S.lastResult = r;
        S.result.setResult(r, r ? S.resultSrc : null);
    }

    function watchMaskMode() {
        var checked = q("#easydrag_mask_mode input:checked");
        var mode = checked ? checked.value : null;
        if (mode !== S.editor.maskMode) S.editor.setMaskMode(mode, false);
    }

    // With auto-save on, the result is already on disk: Save would write a second copy.
    function watchSaved() {
        var info = q("#easydrag_html_info"), save = q("#easydrag_save");
        if (!info || !save) return;
        var b = save.matches("button") ? save : save.querySelector("button") || save;
        var saved = /Saved to /.test(info.textContent || "");
        if (b.disabled !== saved) {
            b.disabled = saved;
            b.title = saved ? ns.t("Already saved (auto-save is on)") : "";
        }
    }

    function tick() {
        if (!mount()) return;
        watchImage();
        watchPoints();
        watchResult();
        watchMaskMode();
        watchSaved();
    }

    var started = false;
    function start() {
        if (started) return;
        started = true;
        tick();
        setInterval(tick, 250);
        if (typeof onOptionsChanged === "function") onOptionsChanged(function () { if (S.editor) S.editor.reloadKeys(); });
        if (typeof onAfterUiUpdate === "function") {
            onAfterUiUpdate(tick);
        } else if (typeof MutationObserver !== "undefined" && document.body) {
            // Plain gradio (standalone app): mount as soon as the tab is rendered.
            var queued = false;
            new MutationObserver(function () {
                if (queued) return;
                queued = true;
                setTimeout(function () { queued = false; tick(); }, 50);
            }).observe(document.body, { childList: true, subtree: true });
        }
    }

    ns.bridge = {
        tick: tick, state: S, send: send, useResult: useResult, liveFrame: liveFrame, endLive: endLive,
        reloadKeys: function () { if (S.editor) S.editor.reloadKeys(); }
    };
    if (typeof onUiLoaded === "function") onUiLoaded(start);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
})();
