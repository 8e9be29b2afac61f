// EasyDrag's one DOM helper: an element with attributes and children (the editor's
// toolbar and the result view build their widgets with it).
(function () {
    "use strict";
    var ns = window.easydrag = window.easydrag || {};

    // attrs: "text" sets textContent, "className" the class; any other key is an attribute.
    function el(tag, attrs, children) {
        var e = document.createElement(tag);
        Object.keys(attrs || {}).forEach(function (k) {
            if (k === "text") e.textContent = attrs[k];
            else if (k === "className") e.className = attrs[k];
            else e.setAttribute(k, attrs[k]);
        });
        (children || []).forEach(function (c) { e.appendChild(c); });
        return e;
    }

    ns.dom = { el: el };
})();
