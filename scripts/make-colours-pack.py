#!/usr/bin/env python3
"""Writes the tiny "colours" model pack used by Trove's tests: test/fixtures/packs/colours/.

The pack has the same layout as a Hugging Face ONNX export of CLIP (e.g. Xenova/clip-vit-base-patch32):
onnx/vision_model.onnx, onnx/text_model.onnx, tokenizer.json, tokenizer_config.json, config.json,
preprocessor_config.json, plus Trove's manifest trove-pack.json. Its two towers are real ONNX graphs, but
hand-built rather than trained, and map into one 16-dimensional space:

  * axes 0..11 are colour names (red, orange, yellow, green, cyan, blue, purple, pink, white, black, grey,
    brown); axis 12 is a small constant "bias" axis; axes 13..15 stay zero.
  * the image tower classifies every pixel against a few RGB prototypes per colour name (a 1x1 Conv that
    computes -s*|p - c_k|^2 up to a per-pixel constant, a Softmax over prototypes), averages over the image
    (a soft colour histogram), and projects the histogram onto the colour axes.
  * the text tower sums one embedding row per token: a colour word (or a synonym) adds its colour's axis,
    every other word adds a little of the bias axis, so no text maps to the zero vector.

So "red" finds the red photo, and a note about a fire engine finds it too. No randomness: the output is the
same on every run (for a given version of the onnx package).

Usage: python3 scripts/make-colours-pack.py   (no arguments; needs the onnx and numpy Python packages,
e.g. Debian's python3-onnx and python3-numpy). It rewrites the whole pack directory.
"""

import hashlib
import json
import os
import shutil
import sys

try:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError as err:  # pragma: no cover
    sys.exit(f"make-colours-pack: {err}; install the onnx and numpy Python packages (apt: python3-onnx python3-numpy)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACK = os.path.join(ROOT, "test", "fixtures", "packs", "colours")

OPSET = 17
IR_VERSION = 8  # onnxruntime 1.30 loads ir_version <= 10; 8 is what opset 17 shipped with
DIMENSIONS = 16
CONTEXT_LENGTH = 32
IMAGE_SIZE = 64

NAMES = ["red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "white", "black", "grey", "brown"]
BIAS_AXIS = 12
BIAS = 0.2  # every colour row (image or text) also has this much of the bias axis
UNK_BIAS = 0.01  # an unknown word adds only this much of the bias axis

# Sharpness of the per-pixel softmax over prototypes: logit_k = -S * |p - c_k|^2 (+ a per-pixel constant).
SHARPNESS = 60.0

# RGB prototypes in [0, 1], several per colour name, so real photos (shadows, highlights, off shades) classify
# sensibly. Nearest prototype in RGB wins each pixel.
PROTOTYPES = [
    ("red", (0.85, 0.10, 0.10)),
    ("red", (0.60, 0.05, 0.05)),
    ("orange", (1.00, 0.55, 0.00)),
    ("orange", (0.90, 0.45, 0.10)),
    ("yellow", (1.00, 0.90, 0.10)),
    ("yellow", (0.90, 0.85, 0.35)),
    ("green", (0.10, 0.70, 0.10)),
    ("green", (0.10, 0.40, 0.10)),
    ("green", (0.50, 0.80, 0.30)),
    ("green", (0.33, 0.42, 0.10)),  # olive foliage
    ("cyan", (0.00, 0.90, 0.90)),
    ("cyan", (0.30, 0.80, 0.85)),
    ("cyan", (0.00, 0.50, 0.50)),  # teal
    ("blue", (0.10, 0.20, 0.90)),
    ("blue", (0.05, 0.10, 0.50)),
    ("blue", (0.30, 0.50, 0.90)),
    ("blue", (0.60, 0.78, 0.95)),  # sky
    ("purple", (0.50, 0.10, 0.60)),
    ("purple", (0.60, 0.30, 0.80)),
    ("purple", (0.70, 0.55, 0.85)),  # lavender
    ("pink", (1.00, 0.50, 0.75)),
    ("pink", (1.00, 0.75, 0.85)),
    ("pink", (0.95, 0.30, 0.60)),
    ("white", (0.97, 0.97, 0.97)),
    ("black", (0.03, 0.03, 0.03)),
    ("grey", (0.50, 0.50, 0.50)),
    ("grey", (0.30, 0.30, 0.30)),
    ("grey", (0.75, 0.75, 0.75)),
    ("brown", (0.45, 0.25, 0.10)),
    ("brown", (0.60, 0.40, 0.20)),
    ("brown", (0.85, 0.75, 0.58)),  # tan, sand
]

# Vocabulary: [PAD]=0, [UNK]=1, then colour words; synonyms map to the same colour axis.
WORDS = [
    ("red", "red"),
    ("scarlet", "red"),
    ("crimson", "red"),
    ("orange", "orange"),
    ("yellow", "yellow"),
    ("green", "green"),
    ("cyan", "cyan"),
    ("turquoise", "cyan"),
    ("teal", "cyan"),
    ("blue", "blue"),
    ("navy", "blue"),
    ("purple", "purple"),
    ("violet", "purple"),
    ("pink", "pink"),
    ("rose", "pink"),
    ("magenta", "pink"),
    ("white", "white"),
    ("black", "black"),
    ("grey", "grey"),
    ("gray", "grey"),
    ("silver", "grey"),
    ("brown", "brown"),
]

# CLIP's normalisation (what CLIPImageProcessor applies after rescaling to [0, 1]).
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]


def colour_row(name):
    row = np.zeros(DIMENSIONS, dtype=np.float32)
    row[NAMES.index(name)] = 1.0
    row[BIAS_AXIS] = BIAS
    return row


def finish(graph):
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="trove/scripts/make-colours-pack.py",
        producer_version="1",
    )
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model.SerializeToString()


def vision_model():
    k = len(PROTOTYPES)
    weight = np.zeros((k, 3, 1, 1), dtype=np.float32)
    bias = np.zeros((k,), dtype=np.float32)
    projection = np.zeros((k, DIMENSIONS), dtype=np.float32)
    for i, (name, rgb) in enumerate(PROTOTYPES):
        c = np.array(rgb, dtype=np.float64)
        # p_c = x_c * std_c + mean_c, logit = s * (2 p.c - |c|^2): fold the un-normalisation into the conv.
        for ch in range(3):
            weight[i, ch, 0, 0] = 2.0 * SHARPNESS * STD[ch] * c[ch]
        bias[i] = SHARPNESS * (2.0 * sum(MEAN[ch] * c[ch] for ch in range(3)) - float(c @ c))
        projection[i] = colour_row(name)

    nodes = [
        helper.make_node("Conv", ["pixel_values", "prototype_weight", "prototype_bias"], ["logits"],
                         name="prototypes", kernel_shape=[1, 1]),
        helper.make_node("Softmax", ["logits"], ["assignment"], name="assign", axis=1),
        helper.make_node("ReduceMean", ["assignment"], ["histogram"], name="histogram", axes=[2, 3], keepdims=0),
        helper.make_node("MatMul", ["histogram", "projection"], ["image_embeds"], name="project"),
    ]
    graph = helper.make_graph(
        nodes,
        "colours_vision",
        # All four dims symbolic, as in the Hugging Face export; the preprocessor gives 3x64x64, but any size works.
        [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT,
                                       ["batch_size", "num_channels", "height", "width"])],
        [helper.make_tensor_value_info("image_embeds", TensorProto.FLOAT, ["batch_size", DIMENSIONS])],
        initializer=[
            numpy_helper.from_array(weight, "prototype_weight"),
            numpy_helper.from_array(bias, "prototype_bias"),
            numpy_helper.from_array(projection, "projection"),
        ],
    )
    return finish(graph)


def vocabulary():
    vocab = {"[PAD]": 0, "[UNK]": 1}
    for word, _ in WORDS:
        vocab[word] = len(vocab)
    return vocab


def text_model(vocab):
    table = np.zeros((len(vocab), DIMENSIONS), dtype=np.float32)
    table[vocab["[UNK]"], BIAS_AXIS] = UNK_BIAS
    for word, name in WORDS:
        table[vocab[word]] = colour_row(name)

    nodes = [
        helper.make_node("Gather", ["token_embedding", "input_ids"], ["tokens"], name="embed", axis=0),
        helper.make_node("Cast", ["attention_mask"], ["mask_float"], name="mask_float", to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_float", "mask_axes"], ["mask"], name="mask"),
        helper.make_node("Mul", ["tokens", "mask"], ["masked"], name="apply_mask"),
        helper.make_node("ReduceSum", ["masked", "sum_axes"], ["text_embeds"], name="pool", keepdims=0),
    ]
    graph = helper.make_graph(
        nodes,
        "colours_text",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "sequence_length"]),
        ],
        [helper.make_tensor_value_info("text_embeds", TensorProto.FLOAT, ["batch_size", DIMENSIONS])],
        initializer=[
            numpy_helper.from_array(table, "token_embedding"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "mask_axes"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "sum_axes"),
        ],
    )
    return finish(graph)


def tokenizer(vocab):
    special = lambda i, token: {  # noqa: E731
        "id": i, "content": token, "single_word": False, "lstrip": False, "rstrip": False,
        "normalized": False, "special": True,
    }
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special(0, "[PAD]"), special(1, "[UNK]")],
        "normalizer": {
            "type": "BertNormalizer",
            "clean_text": True,
            "handle_chinese_chars": True,
            "strip_accents": None,
            "lowercase": True,
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": None,
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": "[UNK]",
            "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100,
            "vocab": vocab,
        },
    }


def as_json(value):
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


README = """# Colours: a test fixture model pack

A tiny hand-built "CLIP-like" model pack for Trove's tests and demo, in the Hugging Face ONNX export layout
(like Xenova/clip-vit-base-patch32). Its image tower maps a picture's dominant colour, and its text tower maps
colour words (red, grey/gray, navy, ...), onto the same axes of a 16-dimensional space, so "red" finds red photos
and notes that say "red". The graphs are real ONNX (opset 17) with no trained weights; the pack is a few KB.

Made by `python3 scripts/make-colours-pack.py` (needs the onnx and numpy Python packages); do not edit by hand,
re-run the script, which also rewrites the sha256 sums in trove-pack.json. Trove loads it with the same code as
real packs (`trove index --model test/fixtures/packs/colours`); it is only good for colours. Licence: MIT.
"""


def main():
    if os.path.isdir(PACK):
        shutil.rmtree(PACK)
    os.makedirs(os.path.join(PACK, "onnx"))

    vocab = vocabulary()
    files = {
        "onnx/vision_model.onnx": vision_model(),
        "onnx/text_model.onnx": text_model(vocab),
        "tokenizer.json": as_json(tokenizer(vocab)),
        "tokenizer_config.json": as_json({
            "model_max_length": CONTEXT_LENGTH,
            "pad_token": "[PAD]",
            "unk_token": "[UNK]",
            "do_lower_case": True,
            "tokenizer_class": "BertTokenizer",
            "clean_up_tokenization_spaces": True,
        }),
        "config.json": as_json({
            "model_type": "clip",
            "projection_dim": DIMENSIONS,
            "text_config": {"max_position_embeddings": CONTEXT_LENGTH},
            "vision_config": {"image_size": IMAGE_SIZE, "patch_size": 32},
        }),
        "preprocessor_config.json": as_json({
            "do_resize": True,
            "size": {"shortest_edge": IMAGE_SIZE},
            "resample": 3,
            "do_center_crop": True,
            "crop_size": {"height": IMAGE_SIZE, "width": IMAGE_SIZE},
            "do_rescale": True,
            "rescale_factor": 0.00392156862745098,
            "do_normalize": True,
            "image_mean": MEAN,
            "image_std": STD,
            "do_convert_rgb": True,
            "image_processor_type": "CLIPImageProcessor",
        }),
        "README.md": README.encode("utf-8"),
    }
    for path, data in files.items():
        with open(os.path.join(PACK, path), "wb") as f:
            f.write(data)

    # The manifest goes last: it records the size and sha256 of every other file.
    manifest = {
        "format": 1,
        "id": "fixture-colours",
        "revision": "1",
        "title": "Colours (test fixture)",
        "licence": "MIT",
        "dimensions": DIMENSIONS,
        "contextLength": CONTEXT_LENGTH,
        "towers": {
            "image": {"file": "onnx/vision_model.onnx", "output": "image_embeds"},
            "text": {"file": "onnx/text_model.onnx", "output": "text_embeds"},
        },
        "files": [
            {"path": path, "size": len(files[path]), "sha256": hashlib.sha256(files[path]).hexdigest()}
            for path in sorted(files)
        ],
    }
    with open(os.path.join(PACK, "trove-pack.json"), "wb") as f:
        f.write(as_json(manifest))

    total = sum(len(d) for d in files.values()) + os.path.getsize(os.path.join(PACK, "trove-pack.json"))
    print(f"wrote {os.path.relpath(PACK, ROOT)} ({len(files) + 1} files, {total} bytes)")


if __name__ == "__main__":
    main()
