// EasyDrag keyboard shortcuts: defaults, overrides from the WebUI settings
// (window.opts.easydrag_key_<action>, like the WebUI's canvas_hotkey_* options), and
// matching of keydown events. Pure logic, loadable by Node.
//
// A binding is text such as "Ctrl+Shift+Z"; several are separated by commas.
// "Ctrl" also matches the Command key so the defaults work on macOS.
(function () {
    "use strict";

    var ACTIONS = [
        // [action, default binding, label shown in the tab]
        ["undo", "Ctrl+Z", "Undo"],
        ["redo", "Ctrl+Shift+Z, Ctrl+Y", "Redo"],
        ["delete", "Delete, Backspace", "Delete selected pair"],
        ["cancel", "Escape", "Cancel / drop unfinished pair"],
        ["points", "P", "Points tool"],
        ["brush", "B", "Mask brush"],
        ["eraser", "E", "Mask eraser"],
        ["smaller", "[", "Smaller brush"],
        ["bigger", "]", "Bigger brush"],
        ["toggleMask", "M", "Show / hide mask"],
        ["opacity", "O", "Mask opacity"],
        ["resetView", "R", "Reset zoom"],
        ["pan", "Space", "Hold to pan (or middle mouse button)"]
    ];

    function parseOne(text) {
        var raw = String(text).trim();
        if (!raw) return null;
        // "+" alone (or "Ctrl++") means the plus key itself.
        var parts = raw === "+" ? ["+"] : raw.replace(/\+\+$/, "+plus").split("+");
        var b = { ctrl: false, alt: false, shift: false, key: null };
        parts.forEach(function (p) {
            var l = p.trim().toLowerCase();
            if (l === "ctrl" || l === "control" || l === "cmd" || l === "meta") b.ctrl = true;
            else if (l === "alt" || l === "option") b.alt = true;
            else if (l === "shift") b.shift = true;
            else if (l === "plus") b.key = "+";
            else if (l === "space" || l === "spacebar") b.key = " ";
            else if (l === "esc") b.key = "escape";
            else if (l === "del") b.key = "delete";
            else if (l) b.key = l;
        });
        if (!b.key) throw new Error("EasyDrag: shortcut \"" + raw + "\" has no key");
        return b;
    }

    function parse(text) {
        if (text === null || text === undefined) return [];
        return String(text).split(",").map(parseOne).filter(Boolean);
    }

    // event: anything with key, code, ctrlKey, metaKey, altKey, shiftKey (a KeyboardEvent or a plain object).
    function matchesOne(b, ev) {
        var ctrl = !!(ev.ctrlKey || ev.metaKey);
        if (b.ctrl !== ctrl || b.alt !== !!ev.altKey) return false;
        var key = String(ev.key || "").toLowerCase();
        // Letters and digits compare by physical key too, so non-Latin layouts work.
        var code = String(ev.code || "");
        var codeKey = /^Key[A-Z]$/.test(code) ? code.slice(3).toLowerCase() : (/^Digit\d$/.test(code) ? code.slice(5) : null);
        var keyOk = key === b.key || (codeKey !== null && codeKey === b.key);
        if (!keyOk) return false;
        // Shift is only checked for letters/names: "[" vs "{" already differ by key.
        var shiftMatters = b.key.length > 1 || /[a-z0-9]/.test(b.key) || b.shift;
        return !shiftMatters || b.shift === !!ev.shiftKey;
    }

    function Keymap(opts) {
        this.bindings = {};
        this.text = {};
        var self = this;
        ACTIONS.forEach(function (a) {
            var override = opts && typeof opts["easydrag_key_" + a[0]] === "string" ? opts["easydrag_key_" + a[0]] : null;
            var text = a[1];
            if (override !== null && override.trim() !== "") {
                try { self.bindings[a[0]] = parse(override); text = override; } catch (e) {
                    // A bad setting must not break the editor: keep the default and say why.
                    if (typeof console !== "undefined") console.warn(e.message + " (setting easydrag_key_" + a[0] + "); using " + a[1]);
                    self.bindings[a[0]] = parse(a[1]);
                }
            } else {
                self.bindings[a[0]] = parse(a[1]);
            }
            self.text[a[0]] = text;
        });
    }

    // The first action whose binding matches the event, or null. Redo is checked before
    // undo because Ctrl+Shift+Z must not fall through to Ctrl+Z.
    Keymap.prototype.actionFor = function (ev) {
        var order = ["redo"].concat(ACTIONS.map(function (a) { return a[0]; }).filter(function (n) { return n !== "redo"; }));
        for (var i = 0; i < order.length; i++) {
            var bs = this.bindings[order[i]];
            for (var j = 0; j < bs.length; j++) if (matchesOne(bs[j], ev)) return order[i];
        }
        return null;
    };

    Keymap.prototype.matches = function (action, ev) {
        return (this.bindings[action] || []).some(function (b) { return matchesOne(b, ev); });
    };

    // Rows for the shortcut list shown in the tab: [label, binding text].
    Keymap.prototype.describe = function () {
        var self = this;
        return ACTIONS.map(function (a) { return [a[2], self.text[a[0]]]; });
    };

    // The first binding of an action for a tooltip ("Brush (B)"), or "" when it has none.
    Keymap.prototype.hint = function (action) {
        var text = this.text[action];
        return text ? String(text).split(",")[0].trim() : "";
    };

    var api = { Keymap: Keymap, parse: parse, ACTIONS: ACTIONS };
    if (typeof window !== "undefined") {
        window.easydrag = window.easydrag || {};
        window.easydrag.keys = api;
    }
    if (typeof module !== "undefined" && module.exports) module.exports = api;
})();
