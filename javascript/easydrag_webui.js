// EasyDrag <-> WebUI page glue (classic script: these functions are global).
// The host calls switch_to_<tabname>() after every "Send to" click and
// recalculate_prompts_<tabname>() after pasting infotext; Run goes through submit_easydrag.

function easydragSelectTab(tabItemId) {
    // Select a top-level tab by its element id (tab_easydrag), never by its label:
    // labels are translated and tabs can be reordered or hidden.
    var app = gradioApp();
    var tabs = app.querySelector('#tabs');
    var item = app.getElementById(tabItemId);
    if (!tabs || !item) return;
    var items = Array.from(tabs.children).filter(function(e) {
        return e.classList.contains('tabitem');
    });
    var index = items.indexOf(item);
    var buttons = tabs.querySelectorAll(':scope > .tab-nav > button');
    if (index >= 0 && index < buttons.length) buttons[index].click();
}

function switch_to_easydrag() {
    easydragSelectTab('tab_easydrag');
    return Array.from(arguments);
}

function recalculate_prompts_easydrag() {
    return Array.from(arguments);
}

// While the host's progress poll reports drag iterations, show the tracked handles live
// on the canvas (the preview image itself arrives through the host's live preview).
function easydragLiveProgress(res) {
    var bridge = window.easydrag && window.easydrag.bridge;
    if (!bridge || !res || typeof res.textinfo !== 'string' || res.textinfo.indexOf('Dragging') !== 0) return;
    fetch('./easydrag/v1/live').then(function(r) {
        return r.ok ? r.json() : null;
    }).then(function(live) {
        if (live && live.running && live.final_handles) {
            bridge.liveFrame({final_handles: live.final_handles, step: live.step, steps: live.steps, size: live.size});
        }
    }).catch(function() {});
}

function submit_easydrag() {
    var id = randomId();
    // Progress bar and live preview over the result view (the gr.Image is a hidden carrier):
    // the host inserts the bar into the container's parent (#easydrag_result_panel, which
    // style.css positions) and the preview into the gallery element.
    var app = gradioApp();
    var view = app.getElementById('easydrag_result_view');
    requestProgress(id, view || app.getElementById('easydrag_results'),
        view || app.getElementById('easydrag_result'), function() {
            var bridge = window.easydrag && window.easydrag.bridge;
            if (bridge && bridge.endLive) bridge.endLive();
        }, easydragLiveProgress);
    var res = Array.from(arguments);
    res[0] = id;
    return res;
}
