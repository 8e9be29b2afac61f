import os

from PIL import Image, PngImagePlugin

saved = []   # (fullfn, info) of every save_image call


def read(fp, **kwargs):
    image = Image.open(fp)
    image.load()
    return image


def save_image(image, path, basename, seed=None, prompt=None, extension='png', info=None,
               short_filename=False, no_prompt=False, grid=False, pnginfo_section_name='parameters',
               p=None, existing_info=None, forced_filename=None, suffix="", save_to_dirs=None):
    os.makedirs(path, exist_ok=True)
    if forced_filename is None:
        n = len(os.listdir(path))
        name = f"{n:05}-{seed}" + (f"-{basename}" if basename else "") + suffix
    else:
        name = forced_filename
    fullfn = os.path.join(path, f"{name}.{extension}")
    if extension.lower() == "png":
        pnginfo = PngImagePlugin.PngInfo()
        if info is not None:
            pnginfo.add_text(pnginfo_section_name, info)
        image.save(fullfn, pnginfo=pnginfo)
    else:
        image.save(fullfn)
    saved.append((fullfn, info))
    return fullfn, None
