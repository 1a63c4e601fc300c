#!/usr/bin/env python3
"""Writes the preprocessing parity fixtures used by test/unit/models/parity.test.ts: test/fixtures/parity/.

Trove must give an image tower the pixels that the model saw in training. CLIP-style packs were trained (and
exported) with Hugging Face transformers' CLIPImageProcessor, so that is the reference. This script

  1. makes a few small, deterministic source photos (numpy: gradients, texture, noise, hard edges, a stripe
     patch that punishes aliasing) in the formats and shapes Trove meets: a landscape JPEG, a portrait PNG, a
     tiny PNG that must be scaled up, a lossy WebP, and a JPEG stored sideways with EXIF orientation 6;
  2. preprocesses each one exactly as CLIPImageProcessor does with PIL, stopping before the float steps:
       - ImageOps.exif_transpose first. transformers does NOT apply EXIF orientation, but Trove does (photos
         must be upright), so for the reference the photo is turned upright before anything else;
       - convert("RGB");
       - resize with PIL's bicubic filter, Image.resize((w, h), resample=Image.BICUBIC, reducing_gap=None), so
         the shortest side becomes 224 and the long side is int(224 * long / short)
         (transformers' get_resize_output_image_size with default_to_square=False);
       - centre crop to 224 x 224 with top = (h - 224) // 2, left = (w - 224) // 2 (transformers' center_crop);
  3. writes that uint8 224 x 224 x 3 image as a PNG (lossless, small) next to a manifest, reference.json,
     which records for each case the source file, its stored and upright sizes, the resize and the crop box,
     and a few normalised values computed with numpy the way transformers computes them
     (x.astype(float64) * 1/255 -> float32, then (x - mean) / std in float32, channels first), so the test can
     check its own rescale/mean/std step too.

The resized and cropped image is uint8 in PIL anyway; the remaining steps (rescale by 1/255, normalise with
the CLIP mean and std) are exact arithmetic that the test applies itself.

It also writes resize.json: two small RGB images and what Image.resize makes of them with each filter a pack
can name (nearest, bilinear, bicubic, lanczos), shrinking, enlarging and one axis only, so Trove's resampler
(src/main/engine/models/resize.ts) is checked against Pillow on its own, byte for byte.

Usage: /usr/bin/python3 scripts/make-parity-fixtures.py   (no arguments; needs Pillow and numpy, e.g. Debian's
python3-pil and python3-numpy). It rewrites test/fixtures/parity/. The output depends on the Pillow and
libjpeg/libwebp versions only through encoding the sources; the references are then computed from what PIL
decodes, which is what the test compares against.
"""

import base64
import io
import json
import os
import sys

try:
    import numpy as np
    import PIL
    from PIL import Image, ImageOps, features
except ImportError as err:  # pragma: no cover
    sys.exit(f"make-parity-fixtures: {err}; install Pillow and numpy (apt: python3-pil python3-numpy)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "parity")

# CLIPImageProcessor's defaults (openai/clip-vit-base-patch32 preprocessor_config.json).
SHORTEST_EDGE = 224
CROP = 224
RESCALE = 1 / 255
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]

EXIF_ORIENTATION = 0x0112


def scene(width, height, seed):
    """An upright, photograph-like RGB image: sky and ground gradients, a hilly horizon, a sun, buildings with
    hard edges, a patch of fine stripes, mid-frequency texture and per-pixel noise. Deterministic for a seed."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    u = (x + 0.5) / width
    v = (y + 0.5) / height

    img = np.empty((height, width, 3), np.float64)
    sky = np.stack([70 + 90 * v, 120 + 80 * v, 200 + 30 * v], axis=-1)
    ground = np.stack([60 + 80 * v, 110 + 50 * (1 - v), 40 + 20 * u], axis=-1)
    horizon = 0.55 + 0.06 * np.sin(2 * np.pi * (1.3 * u + 0.2)) + 0.03 * np.sin(2 * np.pi * 5.1 * u)
    below = v > horizon
    img[:] = np.where(below[..., None], ground, sky)

    # A sun with a soft halo and a hard disc.
    cx, cy, r = 0.78, 0.2, 0.07 * min(width, height) / height
    d = np.hypot((u - cx) * width / height, v - cy)
    img += (np.clip(1 - d / (3 * r), 0, 1) ** 2 * 50)[..., None]
    img[d < r] = [250, 235, 180]

    # Buildings: dark and light blocks standing on the horizon.
    for i, (left, right, top, shade) in enumerate([(0.08, 0.2, 0.35, 40), (0.22, 0.3, 0.42, 200), (0.45, 0.58, 0.3, 90)]):
        block = (u >= left) & (u < right) & (v >= top) & (v <= horizon + 0.05)
        img[block] = [shade, shade * 0.9 + 10 * i, shade * 0.8 + 20]
        # windows: a regular grid of small bright rectangles
        wx = ((u - left) * width) % max(4, width // 60) < max(2, width // 150)
        wy = ((v - top) * height) % max(4, height // 40) < max(2, height // 120)
        img[block & wx & wy] = [240, 220, 120]

    # Fine stripes (one to three pixels wide): aliasing shows up here first if a resampler cuts corners.
    patch = (u > 0.62) & (u < 0.95) & (v > 0.7) & (v < 0.92)
    stripes = ((x + 2 * y) // (1 + (seed % 3))) % 2
    img[patch] = np.stack([stripes[patch] * 200 + 30] * 3, axis=-1)

    # Mid-frequency texture (grass, cloud): a coarse random field scaled up smoothly.
    coarse = rng.normal(0, 1, (max(2, height // 24), max(2, width // 24), 3)).astype(np.float32)
    texture = np.stack(
        [np.asarray(Image.fromarray(coarse[..., c], mode="F").resize((width, height), Image.BILINEAR)) for c in range(3)],
        axis=-1,
    )
    img += texture * np.where(below, 14, 6)[..., None]

    # Sensor noise.
    img += rng.normal(0, 5, img.shape)
    return Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), "RGB")


def encode(img, fmt, **kwargs):
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def sideways_jpeg(upright, quality):
    """The photo stored as a phone does when held sideways: pixels turned 90 degrees anticlockwise, and EXIF
    orientation 6 (rotate 90 degrees clockwise to view)."""
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6
    return encode(stored, "JPEG", quality=quality, exif=exif.tobytes())


# name, file, (upright width, height), seed, encoder
CASES = [
    ("landscape-jpeg", "landscape.jpg", (1600, 1200), 1, lambda im: encode(im, "JPEG", quality=92)),
    ("portrait-png", "portrait.png", (300, 500), 2, lambda im: encode(im, "PNG", optimize=True)),
    ("tiny-png", "tiny.png", (48, 32), 3, lambda im: encode(im, "PNG", optimize=True)),
    ("webp", "scene.webp", (1000, 700), 4, lambda im: encode(im, "WEBP", quality=85, method=4)),
    ("exif-6-jpeg", "sideways.jpg", (640, 480), 5, lambda im: sideways_jpeg(im, 90)),
]


def resize_size(width, height):
    """transformers' get_resize_output_image_size(size=224, default_to_square=False): (width, height)."""
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = SHORTEST_EDGE, int(SHORTEST_EDGE * long / short)
    return (new_short, new_long) if width <= height else (new_long, new_short)


def reference(data):
    """CLIPImageProcessor up to (not including) rescale/normalise, plus exif_transpose first. Returns the
    uint8 HWC crop and what happened to the photo."""
    stored = Image.open(io.BytesIO(data))
    stored_size = stored.size
    orientation = stored.getexif().get(EXIF_ORIENTATION, 1)
    img = ImageOps.exif_transpose(stored)  # Trove shows and embeds photos upright; transformers would not
    img = img.convert("RGB")
    width, height = img.size
    new_w, new_h = resize_size(width, height)
    resized = img.resize((new_w, new_h), resample=Image.BICUBIC, reducing_gap=None)
    arr = np.asarray(resized)
    top = (new_h - CROP) // 2
    left = (new_w - CROP) // 2
    crop = arr[top : top + CROP, left : left + CROP]
    assert crop.shape == (CROP, CROP, 3) and crop.dtype == np.uint8
    info = {
        "storedSize": list(stored_size),
        "orientation": orientation,
        "uprightSize": [width, height],
        "resize": [new_w, new_h],
        "crop": {"left": left, "top": top, "width": CROP, "height": CROP},
    }
    return crop, info


def normalise(crop):
    """transformers' rescale then normalize, channels first: float32 (3, 224, 224)."""
    x = (crop.astype(np.float64) * RESCALE).astype(np.float32)
    x = (x - np.array(MEAN, np.float32)) / np.array(STD, np.float32)
    return x.transpose(2, 0, 1)


# Trove's names for the filters (preprocess.ts) -> Pillow's.
FILTERS = {"nearest": Image.NEAREST, "linear": Image.BILINEAR, "cubic": Image.BICUBIC, "lanczos3": Image.LANCZOS}

# input, filter, (width, height): shrinking, enlarging, one axis only, both ways at once, no change.
RESIZES = [
    *[("big", f, (17, 11)) for f in FILTERS],
    *[("small", f, (50, 40)) for f in FILTERS],
    ("big", "cubic", (64, 20)),
    ("big", "cubic", (25, 48)),
    ("big", "cubic", (64, 48)),
    ("big", "cubic", (30, 70)),
    ("big", "linear", (30, 70)),
    ("big", "cubic", (40, 30)),
    ("big", "nearest", (37, 29)),
]


def resize_vectors():
    """Small inputs (a scene with extra noise, so every coefficient matters) and Pillow's resizes of them."""
    rng = np.random.default_rng(99)
    inputs = {}
    for name, (w, h), seed in [("big", (64, 48), 11), ("small", (13, 9), 12)]:
        arr = np.asarray(scene(w, h, seed)).astype(np.int16) + rng.integers(-40, 41, (h, w, 3))
        inputs[name] = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    b64 = lambda img: base64.b64encode(np.asarray(img, np.uint8).tobytes()).decode("ascii")
    return {
        "about": "Pillow Image.resize outputs for resize.ts; written by scripts/make-parity-fixtures.py, do not edit.",
        "inputs": {name: {"width": im.width, "height": im.height, "rgb": b64(im)} for name, im in inputs.items()},
        "cases": [
            {
                "input": name,
                "filter": f,
                "width": w,
                "height": h,
                "rgb": b64(inputs[name].resize((w, h), resample=FILTERS[f], reducing_gap=None)),
            }
            for name, f, (w, h) in RESIZES
        ],
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for entry in os.listdir(OUT):
        os.remove(os.path.join(OUT, entry))

    cases = []
    total = 0
    for name, file, (width, height), seed, make in CASES:
        source = make(scene(width, height, seed))
        with open(os.path.join(OUT, file), "wb") as f:
            f.write(source)
        crop, info = reference(source)
        ref_file = f"{name}.reference.png"
        ref = encode(Image.fromarray(crop, "RGB"), "PNG", optimize=True)
        with open(os.path.join(OUT, ref_file), "wb") as f:
            f.write(ref)
        total += len(source) + len(ref)

        values = normalise(crop)
        probes = [(0, 0, 0), (1, 112, 112), (2, 223, 223), (0, 17, 200), (1, 200, 3)]
        cases.append(
            {
                "name": name,
                "source": file,
                **info,
                "reference": ref_file,
                "pixelValues": {
                    "channelMeans": [float(values[c].mean(dtype=np.float64)) for c in range(3)],
                    "probes": [{"c": c, "y": yy, "x": xx, "value": float(values[c, yy, xx])} for c, yy, xx in probes],
                },
            }
        )

    manifest = {
        "about": "Reference preprocessing for Trove's parity test; written by scripts/make-parity-fixtures.py, do not edit.",
        "processor": {
            "name": "CLIPImageProcessor (transformers), with ImageOps.exif_transpose first",
            "shortestEdge": SHORTEST_EDGE,
            "crop": CROP,
            "resample": "PIL.Image.BICUBIC",
            "rescale": RESCALE,
            "mean": MEAN,
            "std": STD,
        },
        "made": {
            "pillow": PIL.__version__,
            "numpy": np.__version__,
            "libjpeg": features.version("jpg"),
            "libwebp": features.version("webp"),
        },
        "cases": cases,
    }
    text = json.dumps(manifest, indent=2) + "\n"
    with open(os.path.join(OUT, "reference.json"), "w") as f:
        f.write(text)
    total += len(text)

    text = json.dumps(resize_vectors(), indent=1) + "\n"
    with open(os.path.join(OUT, "resize.json"), "w") as f:
        f.write(text)
    total += len(text)
    print(f"wrote {os.path.relpath(OUT, ROOT)} ({2 * len(cases) + 2} files, {total} bytes)")


if __name__ == "__main__":
    main()
