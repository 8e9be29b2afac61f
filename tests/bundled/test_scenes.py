"""The bundled model's scenes and its demo drag: deterministic, captioned, redrawable with an object moved."""
import numpy as np
from PIL import Image

from easydrag_ext.bundled.demo_drag import demo_drag
from easydrag_ext.bundled.scenes import Obj, Scene, random_scene, render


def test_scenes_are_deterministic_and_captioned():
    a = random_scene(np.random.default_rng(7))
    b = random_scene(np.random.default_rng(7))
    assert a == b and np.array_equal(render(a), render(b))
    assert render(a).shape == (32, 32, 3) and render(a).dtype == np.uint8
    assert a.caption().startswith("a ") and "background" in a.caption()


def test_without_takes_out_one_object_only():
    rng = np.random.default_rng(0)
    scene = next(s for s in (random_scene(rng) for _ in range(50)) if len(s.objects) == 2)
    bare = scene.without(1)
    assert bare.objects == scene.objects[:1]
    assert not np.array_equal(render(bare), render(scene))


def test_the_demo_drag_moves_the_red_disc_from_its_centre_ten_pixels_right():
    image, prompt, handles, targets = demo_drag()
    assert isinstance(image, Image.Image) and image.size == (32, 32)
    assert prompt == "a red disc on a plain grey background"
    assert handles == [(10, 16)] and targets == [(20, 16)]
    disc = Scene(32, "plain", "grey", 0.0, (Obj("disc", "red", 10.0, 16.0, 6.0),))
    assert np.array_equal(np.asarray(image), render(disc))
    assert tuple(np.asarray(image)[16, 10]) == (220, 40, 40)       # the handle sits on the disc
