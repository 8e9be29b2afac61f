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

function submit_easydrag() {
    var id = randomId();
    requestProgress(id, gradioApp().getElementById('easydrag_results'),
        gradioApp().getElementById('easydrag_result'), function() {});
    var res = Array.from(arguments);
    res[0] = id;
    return res;
}
