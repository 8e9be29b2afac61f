// EasyDrag editor widget's elements: the toolbar (buttons from easydrag_tools.js, brush size,
// mask-mode menu), the stage with the canvas and the drop/click-to-open note, the status
// line, the shortcut list and the hidden file pickers. Built once per editor; what the
// elements show is refreshed by easydrag_editor.js.
(function () {
    "use strict";
    var ns = window.easydrag = window.easydrag || {};

    function t(s) { return ns.t ? ns.t(s) : s; }

    function filePicker(onFile) {
        var input = ns.dom.el("input", { type: "file", accept: "image/*", className: "easydrag-file" });
        input.style.display = "none";
        input.addEventListener("change", function () {
            var f = input.files && input.files[0];
            input.value = "";
            if (f) onFile(f);
        });
        return input;
    }

    function toolbar(ed) {
        var el = ns.dom.el, tools = ns.tools;
        ed.buttons = {};
        var bar = el("div", { className: "easydrag-toolbar", role: "toolbar" });
        tools.TOOLBAR.forEach(function (g) {
            var grp = el("div", { className: "easydrag-group" });
            g.forEach(function (d) {
                var b = el("button", { type: "button", "data-action": d[0], className: "easydrag-btn" });
                b.dataset.tip = d[2] || d[1];
                b.textContent = t(d[1]);
                b.addEventListener("click", function () { ed.doAction(d[0]); });
                ed.buttons[d[0]] = b;
                grp.appendChild(b);
            });
            if (g[0][0] === tools.BRUSH_GROUP) {
                ed.sizeLabel = el("span", { className: "easydrag-size" });
                grp.insertBefore(ed.sizeLabel, grp.children[1]);
                // The mask mode lives next to the brush: it decides what the paint does.
                ed.maskSelect = el("select", { className: "easydrag-mask-mode", "aria-label": t("Mask mode"),
                    title: t("Mask mode: auto = from the drag's gradient, user = the painted mask, none = no mask term") });
                tools.MASK_MODES.forEach(function (m) { ed.maskSelect.appendChild(el("option", { value: m, text: t("Mask") + ": " + t(m) })); });
                ed.maskSelect.addEventListener("change", function () { ed.setMaskMode(ed.maskSelect.value, true); });
                grp.appendChild(ed.maskSelect);
            }
            bar.appendChild(grp);
        });
        return bar;
    }

    function stage(ed) {
        var el = ns.dom.el;
        ed.canvas = el("canvas", { className: "easydrag-view", tabindex: "0", "aria-label": t("Drag canvas") });
        ed.emptyNote = el("div", { className: "easydrag-empty", role: "button", tabindex: "0",
            text: t("Drop an image here or click to open one, then drag from a handle to its target.") });
        ed.emptyNote.addEventListener("click", function () { ed.doAction("openImage"); });
        ed.emptyNote.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); ed.doAction("openImage"); } });
        var s = el("div", { className: "easydrag-stage" }, [ed.canvas, ed.emptyNote]);
        s.addEventListener("dragover", function (e) { e.preventDefault(); s.classList.add("easydrag-drop"); });
        s.addEventListener("dragleave", function () { s.classList.remove("easydrag-drop"); });
        s.addEventListener("drop", function (e) {
            e.preventDefault();
            s.classList.remove("easydrag-drop");
            var f = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
            if (f) ed.openFile(f);
        });
        return s;
    }

    function statusLine(ed) {
        var el = ns.dom.el;
        ed.status = el("div", { className: "easydrag-status", "aria-live": "polite" });
        ed.statusText = el("span");
        ed.useMaskBtn = el("button", { type: "button", className: "easydrag-btn easydrag-inline", "data-action": "useMask",
            text: t("Use the painted mask (mode user)") });
        ed.useMaskBtn.addEventListener("click", function () { ed.setMaskMode("user", true); });
        ed.status.appendChild(ed.statusText);
        ed.status.appendChild(ed.useMaskBtn);
        return ed.status;
    }

    // The shortcut list and the buttons' tooltips, from the editor's current keymap.
    function fillShortcuts(ed) {
        var el = ns.dom.el, km = ed.keymap;
        Object.keys(ed.buttons).forEach(function (k) {
            var b = ed.buttons[k], hint = km.hint(k);
            b.title = t(b.dataset.tip) + (hint ? " (" + hint + ")" : "");
        });
        var rows = km.describe().map(function (r) {
            return el("tr", {}, [el("td", { text: t(r[0]) }), el("td", {}, [el("kbd", { text: r[1] })])]);
        });
        rows.push(el("tr", {}, [el("td", { text: t("Zoom") }), el("td", {}, [el("kbd", { text: t("Mouse wheel") })])]));
        ed.shortcutTable.textContent = "";
        rows.forEach(function (r) { ed.shortcutTable.appendChild(r); });
    }

    // Sets the editor's element fields (buttons, canvas, stage, status, ...) and returns its root.
    function buildEditorElements(ed) {
        var el = ns.dom.el;
        var bar = toolbar(ed);
        ed.stage = stage(ed);
        ed.imageFile = filePicker(function (f) { ed.openFile(f); });
        ed.maskFile = filePicker(function (f) { ed.loadMaskFile(f); });
        statusLine(ed);
        ed.shortcutTable = el("table");
        ed.shortcuts = el("details", { className: "easydrag-shortcuts" }, [
            el("summary", { text: t("Keyboard shortcuts") }), ed.shortcutTable
        ]);
        fillShortcuts(ed);
        ed.root = el("div", { className: "easydrag-editor" }, [bar, ed.stage, ed.status, ed.shortcuts, ed.imageFile, ed.maskFile]);
        ed.ctx = ed.canvas.getContext("2d");
        return ed.root;
    }

    ns.editorElements = { build: buildEditorElements, fillShortcuts: fillShortcuts };
})();
