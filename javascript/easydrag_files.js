// EasyDrag editor's files: opening an image file, painting the mask from a picture, and
// the mask as a native-size PNG for Python. DOM and browser APIs (Image, canvas, URL).
(function () {
    "use strict";
    var ns = window.easydrag = window.easydrag || {};

    function t(s) { return ns.t ? ns.t(s) : s; }

    function openFile(ed, file) {
        if (!/^image\//.test(file.type || "image/")) { ed.setMessage(t("Not an image file") + ": " + file.name); return; }
        if (ed.onOpenFile) ed.onOpenFile(file);
        else ed.setImage(URL.createObjectURL(file), false);
    }

    // A mask picture, scaled (nearest) to the image: one undoable edit, replacing the paint.
    function loadMaskFile(ed, file) {
        var st = ed.state;
        if (!ed.image) { ed.setMessage(t("Open an image first")); return Promise.resolve(false); }
        var url = URL.createObjectURL(file);
        return new Promise(function (resolve) {
            var img = new Image();
            img.onload = function () {
                URL.revokeObjectURL(url);
                if (ed.state !== st) { resolve(false); return; }
                var c = document.createElement("canvas");
                c.width = st.width; c.height = st.height;
                var ctx = c.getContext("2d");
                ctx.imageSmoothingEnabled = false;
                ctx.drawImage(img, 0, 0, st.width, st.height);
                var m = ns.MaskBitmap.fromPicture(st.width, st.height, ctx.getImageData(0, 0, st.width, st.height).data);
                st._edit(function () { this.mask = m.isEmpty() ? null : m; });
                ed.setMessage(m.isEmpty() ? t("The mask picture has no white or opaque area") :
                    t("Mask loaded from") + " " + file.name + (img.naturalWidth !== st.width || img.naturalHeight !== st.height ?
                        " (" + t("scaled from") + " " + img.naturalWidth + "×" + img.naturalHeight + ")" : ""));
                ed.changed();
                resolve(true);
            };
            img.onerror = function () { URL.revokeObjectURL(url); ed.setMessage(t("Could not read the mask picture")); resolve(false); };
            img.src = url;
        });
    }

    // Native-size PNG data URL of `mask` (white = edit region).
    function maskPng(mask) {
        var c = document.createElement("canvas");
        c.width = mask.width; c.height = mask.height;
        var ctx = c.getContext("2d");
        var img = ctx.createImageData(mask.width, mask.height);
        mask.toRGBA(img.data);
        ctx.putImageData(img, 0, 0);
        return c.toDataURL("image/png");
    }

    ns.editorFiles = { openFile: openFile, loadMaskFile: loadMaskFile, maskPng: maskPng };
})();
