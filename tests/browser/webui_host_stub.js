// Stand-ins for the few WebUI v1.10.1 page functions the extension's scripts call
// (script.js: gradioApp, onUiLoaded, onAfterUiUpdate, onOptionsChanged, opts;
// progressbar.js: randomId, requestProgress), written from /work/shared host notes, not
// copied.  requestProgress only records its call: the fake page has no /internal/progress.
(function () {
    "use strict";
    window.opts = window.opts || {};
    // the host's gradioApp(): the <gradio-app> element (or its shadow root), given a
    // getElementById that searches the document, since an Element has none of its own
    window.gradioApp = function () {
        var els = document.getElementsByTagName("gradio-app");
        var el = els.length ? els[0] : document;
        if (el !== document) el.getElementById = function (id) { return document.getElementById(id); };
        return el.shadowRoot ? el.shadowRoot : el;
    };
    var loaded = [], after = [], options = [], fired = false, timer = null;
    window.onUiLoaded = function (cb) { loaded.push(cb); };
    window.onAfterUiUpdate = function (cb) { after.push(cb); };
    window.onOptionsChanged = function (cb) { options.push(cb); };
    window.randomId = function () { return "task(" + Math.random().toString(36).slice(2, 9) + ")"; };
    window.__requestProgressCalls = [];
    window.requestProgress = function (id, container, gallery, atEnd, onProgress) {
        window.__requestProgressCalls.push({ id: id, container: container && container.id, gallery: gallery && gallery.id });
    };
    // the host fires onUiLoaded once its tabs exist, and onAfterUiUpdate after DOM changes
    function changed() {
        if (!fired && gradioApp().querySelector("#tabs")) { fired = true; loaded.forEach(function (cb) { cb(); }); }
        if (timer) clearTimeout(timer);
        timer = setTimeout(function () { after.forEach(function (cb) { cb(); }); }, 200);
    }
    new MutationObserver(changed).observe(document, { childList: true, subtree: true });
    setTimeout(changed, 0);     // injected after the page mounted: the tabs may exist already
})();
