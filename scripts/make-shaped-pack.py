#!/usr/bin/env python3
"""Writes a random-weight model pack with exactly the shape of CLIP ViT-B/32, for benchmarks.

`npm run bench` measures what an encoder costs on this machine. The colours fixture pack is a few kilobytes and
measures nothing; a real CLIP export cannot be downloaded here. This pack has the true compute of
openai/clip-vit-base-patch32 (as exported by Xenova/clip-vit-base-patch32) with random weights, so every figure
taken with it is the cost of the real architecture, and none of its embeddings mean anything.

  * onnx/vision_model.onnx: pixel_values float32 [batch, 3, 224, 224] -> image_embeds float32 [batch, 512].
    Conv patch embedding 3->768, kernel and stride 32, no bias; class token; 50 position embeddings;
    pre-LayerNorm; 12 pre-norm transformer layers of width 768 (12 heads of 64, q/k/v/out projections with bias,
    MLP 768->3072->768 with QuickGELU x*sigmoid(1.702x)); post-LayerNorm on the class token; projection 768->512
    without bias.
  * onnx/text_model.onnx: input_ids, attention_mask int64 [batch, sequence] -> text_embeds float32 [batch, 512].
    Token embedding 49408 x 512; 77 position embeddings sliced to the sequence length (a short query is a short
    sequence); 12 layers of width 512 (8 heads of 64, MLP 2048, QuickGELU); causal plus padding attention mask;
    final LayerNorm; pooled at the highest token id of each row (CLIP's end-of-text token, argmax of input_ids);
    projection 512->512 without bias.
  * tokenizer.json / tokenizer_config.json: a WordPiece tokenizer over common English words and synthetic
    syllable words filling ids 0..49405, start-of-text 49406 prepended and end-of-text 49407 (the highest id,
    also the pad token) appended by a TemplateProcessing post-processor. It is there for its cost, not meaning.
  * config.json, preprocessor_config.json (CLIP's), trove-pack.json (id clip-vit-b32-shaped, revision random-1).

Weights: numpy, fixed seed, normal with std 0.02 (LayerNorm scale 1, biases 0), float32; the two graphs hold
about 600 MB of initializers, stored inside the .onnx files (each under protobuf's 2 GB limit). Never commit
the output: the default directory, bench/.cache/, is gitignored.

Usage: /usr/bin/python3 scripts/make-shaped-pack.py [output dir]   (default bench/.cache/packs/clip-vit-b32-shaped)
Needs the onnx and numpy Python packages (Debian: python3-onnx python3-numpy); no network. It rewrites the whole
output directory; trove-pack.json is written last, so a directory without it is an interrupted run.
"""

import hashlib
import json
import os
import shutil
import sys
import time

try:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError as err:  # pragma: no cover
    sys.exit(f"make-shaped-pack: {err}; install the onnx and numpy Python packages (apt: python3-onnx python3-numpy)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "bench", ".cache", "packs", "clip-vit-b32-shaped")

OPSET = 17  # LayerNormalization is a standard op from opset 17
IR_VERSION = 8
SEED = 20261122
STD = 0.02
LN_EPS = 1e-5
NEG = -1e9  # added to masked attention scores; finite, so a sum of two masks cannot overflow

PROJECTION = 512
VISION = dict(image=224, patch=32, width=768, layers=12, heads=12, mlp=3072)
TEXT = dict(vocab=49408, context=77, width=512, layers=12, heads=8, mlp=2048)
SOT_ID = 49406
EOT_ID = 49407

# CLIP's normalisation (what CLIPImageProcessor applies after rescaling to [0, 1]).
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD_PIXEL = [0.26862954, 0.26130258, 0.27577711]


class Graph:
    """Collects nodes and initializers with unique names."""

    def __init__(self, rng):
        self.rng = rng
        self.nodes = []
        self.initializers = []
        self.count = 0

    def name(self, base):
        self.count += 1
        return f"{base}_{self.count}"

    def op(self, op_type, inputs, base=None, **attrs):
        out = self.name(base or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
        return out

    def const(self, name, array):
        self.initializers.append(numpy_helper.from_array(np.array(array, order="C", copy=False), name))
        return name

    def ints(self, name, values):
        return self.const(name, np.array(values, dtype=np.int64))

    def floats(self, name, values):
        return self.const(name, np.array(values, dtype=np.float32))

    def normal(self, name, shape, std=STD):
        a = self.rng.standard_normal(shape, dtype=np.float32)
        a *= np.float32(std)
        return self.const(name, a)

    def linear(self, x, prefix, d_in, d_out, bias=True):
        y = self.op("MatMul", [x, self.normal(f"{prefix}.weight", (d_in, d_out))], f"{prefix}.matmul")
        if bias:
            y = self.op("Add", [y, self.const(f"{prefix}.bias", np.zeros(d_out, dtype=np.float32))], f"{prefix}.add")
        return y

    def layer_norm(self, x, prefix, width):
        scale = self.const(f"{prefix}.weight", np.ones(width, dtype=np.float32))
        bias = self.const(f"{prefix}.bias", np.zeros(width, dtype=np.float32))
        return self.op("LayerNormalization", [x, scale, bias], prefix, axis=-1, epsilon=LN_EPS)

    def quick_gelu(self, x):
        s = self.op("Sigmoid", [self.op("Mul", [x, "const.quick_gelu"], "gelu.scale")], "gelu.sigmoid")
        return self.op("Mul", [x, s], "gelu")

    def attention(self, x, prefix, width, heads, mask=None):
        """Multi-head self-attention on x [B, S, width]; mask (optional) is added to the scores [B, 1|H, S, S]."""
        head = width // heads
        split = self.ints(f"{prefix}.split_shape", [0, -1, heads, head])
        q = self.op("Mul", [self.linear(x, f"{prefix}.q_proj", width, width), self.floats(f"{prefix}.scale", head ** -0.5)])
        k = self.linear(x, f"{prefix}.k_proj", width, width)
        v = self.linear(x, f"{prefix}.v_proj", width, width)
        q = self.op("Transpose", [self.op("Reshape", [q, split])], perm=[0, 2, 1, 3])  # [B, H, S, d]
        k = self.op("Transpose", [self.op("Reshape", [k, split])], perm=[0, 2, 3, 1])  # [B, H, d, S]
        v = self.op("Transpose", [self.op("Reshape", [v, split])], perm=[0, 2, 1, 3])  # [B, H, S, d]
        scores = self.op("MatMul", [q, k], f"{prefix}.scores")
        if mask is not None:
            scores = self.op("Add", [scores, mask], f"{prefix}.masked")
        probs = self.op("Softmax", [scores], f"{prefix}.softmax", axis=-1)
        ctx = self.op("Transpose", [self.op("MatMul", [probs, v], f"{prefix}.context")], perm=[0, 2, 1, 3])
        ctx = self.op("Reshape", [ctx, self.ints(f"{prefix}.merge_shape", [0, -1, width])])
        return self.linear(ctx, f"{prefix}.out_proj", width, width)

    def encoder_layer(self, x, prefix, width, heads, mlp, mask=None):
        h = self.attention(self.layer_norm(x, f"{prefix}.layer_norm1", width), f"{prefix}.self_attn", width, heads, mask)
        x = self.op("Add", [x, h], f"{prefix}.residual1")
        h = self.linear(self.layer_norm(x, f"{prefix}.layer_norm2", width), f"{prefix}.mlp.fc1", width, mlp)
        h = self.linear(self.quick_gelu(h), f"{prefix}.mlp.fc2", mlp, width)
        return self.op("Add", [x, h], f"{prefix}.residual2")

    def model(self, name, inputs, outputs):
        graph = helper.make_graph(self.nodes, name, inputs, outputs, initializer=self.initializers)
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", OPSET)],
            producer_name="trove/scripts/make-shaped-pack.py",
            producer_version="1",
        )
        model.ir_version = IR_VERSION
        onnx.checker.check_model(model, full_check=True)
        return model


def vision_model(rng):
    c = VISION
    g = Graph(rng)
    g.floats("const.quick_gelu", 1.702)
    patches = (c["image"] // c["patch"]) ** 2
    width = c["width"]
    x = g.op("Conv", ["pixel_values", g.normal("embeddings.patch_embedding.weight", (width, 3, c["patch"], c["patch"]))],
             "patch_embedding", kernel_shape=[c["patch"], c["patch"]], strides=[c["patch"], c["patch"]])  # [B, 768, 7, 7]
    x = g.op("Reshape", [x, g.ints("embeddings.flat_shape", [0, width, -1])])  # [B, 768, 49]
    x = g.op("Transpose", [x], perm=[0, 2, 1])  # [B, 49, 768]
    batch = g.op("Slice", [g.op("Shape", ["pixel_values"]), g.ints("const.zero", [0]), g.ints("const.one", [1])], "batch")
    cls_shape = g.op("Concat", [batch, g.ints("embeddings.class_tail", [1, width])], "class_shape", axis=0)
    cls = g.op("Expand", [g.normal("embeddings.class_embedding", (1, 1, width)), cls_shape], "class_token")
    x = g.op("Concat", [cls, x], "tokens", axis=1)  # [B, 50, 768]
    x = g.op("Add", [x, g.normal("embeddings.position_embedding.weight", (patches + 1, width), 0.01)], "positions")
    x = g.layer_norm(x, "pre_layrnorm", width)
    for i in range(c["layers"]):
        x = g.encoder_layer(x, f"encoder.layers.{i}", width, c["heads"], c["mlp"])
    pooled = g.op("Gather", [x, g.const("const.class_index", np.array(0, dtype=np.int64))], "pooled", axis=1)  # [B, 768]
    pooled = g.layer_norm(pooled, "post_layernorm", width)
    g.nodes.append(helper.make_node("MatMul", [pooled, g.normal("visual_projection.weight", (width, PROJECTION))],
                                    ["image_embeds"], name="visual_projection"))
    return g.model(
        "clip_vit_b32_shaped_vision",
        [helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, ["batch_size", 3, c["image"], c["image"]])],
        [helper.make_tensor_value_info("image_embeds", TensorProto.FLOAT, ["batch_size", PROJECTION])],
    )


def text_model(rng):
    c = TEXT
    g = Graph(rng)
    g.floats("const.quick_gelu", 1.702)
    width = c["width"]
    x = g.op("Gather", [g.normal("embeddings.token_embedding.weight", (c["vocab"], width)), "input_ids"], "tokens", axis=0)
    shape = g.op("Shape", ["input_ids"], "ids_shape")  # [B, S]
    zero = g.ints("const.zero", [0])
    one = g.ints("const.one", [1])
    two = g.ints("const.two", [2])
    batch = g.op("Slice", [shape, zero, one], "batch")
    seq = g.op("Slice", [shape, one, two], "sequence")
    positions = g.op("Slice", [g.normal("embeddings.position_embedding.weight", (c["context"], width), 0.01), zero, seq, zero],
                     "positions")  # [S, 512]
    x = g.op("Add", [x, positions], "embedded")
    # Causal mask (a key after the query is hidden) plus padding mask (a padded key is hidden): [B, 1, S, S].
    causal = np.triu(np.full((c["context"], c["context"]), NEG, dtype=np.float32), k=1)
    causal = g.op("Slice", [g.const("const.causal_mask", causal), g.ints("const.zeros2", [0, 0]),
                            g.op("Concat", [seq, seq], "mask_ends", axis=0), g.ints("const.axes01", [0, 1])], "causal")
    keep = g.op("Cast", ["attention_mask"], "keep", to=TensorProto.FLOAT)
    hidden = g.op("Mul", [g.op("Sub", [g.floats("const.one_f", 1.0), keep], "hidden"), g.floats("const.neg", NEG)], "padding")
    padding = g.op("Unsqueeze", [hidden, g.ints("const.axes12", [1, 2])], "padding_mask")  # [B, 1, 1, S]
    mask = g.op("Add", [causal, padding], "attention_bias")
    for i in range(c["layers"]):
        x = g.encoder_layer(x, f"encoder.layers.{i}", width, c["heads"], c["mlp"], mask)
    x = g.layer_norm(x, "final_layer_norm", width)
    # Pool at the end-of-text token, the highest id of each row (first occurrence: pads are end-of-text too).
    eot = g.op("ArgMax", [g.op("Cast", ["input_ids"], "ids_int32", to=TensorProto.INT32)], "eot_index", axis=1, keepdims=1)
    index = g.op("Unsqueeze", [eot, two], "eot_index3")  # [B, 1, 1]
    index = g.op("Expand", [index, g.op("Concat", [batch, g.ints("const.pool_tail", [1, width])], "pool_shape", axis=0)])
    pooled = g.op("GatherElements", [x, index], "pooled", axis=1)  # [B, 1, 512]
    pooled = g.op("Squeeze", [pooled, one], "pooled2")  # [B, 512]
    g.nodes.append(helper.make_node("MatMul", [pooled, g.normal("text_projection.weight", (width, PROJECTION))],
                                    ["text_embeds"], name="text_projection"))
    return g.model(
        "clip_vit_b32_shaped_text",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "sequence_length"]),
        ],
        [helper.make_tensor_value_info("text_embeds", TensorProto.FLOAT, ["batch_size", PROJECTION])],
    )


COMMON_WORDS = """
a about above across after again against all along also always among an and another any are around as at away
back bag ball be beach bear because bed been before behind being below beside best between big bike bird birthday
black blue board boat body book bottle box boy bread breakfast bridge brother brown building bus but by cake call
camera can car card castle cat chair child children christmas church city class clock close cloud coat coffee cold
colour come computer cook cool country cup dad dark day desk dinner do dog door down dress drink during each early
east eat egg evening every eye face fall family far farm father field find fire first fish flower food for forest
friend from front fruit full game garden girl glass go gold good grandma grandpa grass great green grey group hair
half hand happy hat have he head heart her here high hill his holiday home horse hot house how ice idea if in inside
into is island it its just key kid kitchen lake lamp large last late leaf left leg letter library light like line
list little long look lunch make man many map market me meeting menu mom money moon morning mother mountain mouth
my name near new next night no north not note now of off office old on one open or orange our out outside over page
paper park party people phone photo picture pink place plan plant plate play pool purple rain receipt recipe red
right river road rock room round run sand school sea season shadow ship shoe shop side sign silver sister sky sleep
small snow so some song south spring star station stone street summer sun sunset table tall tea team the their
them then there they this through ticket time to today top tower town train travel tree trip under up us van very
view village wall walk warm was watch water we wedding week west what when where white who window winter with
woman wood work world year yellow you young zoo
""".split()

LETTERS = "abcdefghijklmnopqrstuvwxyz"
CONSONANTS = "bcdfghjklmnprstvwz"
VOWELS = "aeiou"


def vocabulary():
    """Token -> id for ids 0..49405: [UNK], characters, common words, then synthetic syllable words and pieces."""
    vocab = {}

    def add(token):
        if token not in vocab and len(vocab) < SOT_ID:
            vocab[token] = len(vocab)

    add("[UNK]")
    for ch in LETTERS + "0123456789" + "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~":
        add(ch)
        add("##" + ch)
    for w in COMMON_WORDS:
        add(w)
    syllables = [c + v for c in CONSONANTS for v in VOWELS] + [v + c for v in VOWELS for c in CONSONANTS]
    for s in syllables:
        add("##" + s)
    for suffix in ["s", "es", "ed", "ing", "er", "est", "ly", "tion", "ment", "ness"]:
        add("##" + suffix)
    # Fill the remaining ids with deterministic synthetic words (2 then 3 syllables): a full 49,408-token table,
    # as CLIP's, so the tokenizer and the embedding lookup have their real sizes.
    for a in syllables:
        for b in syllables:
            add(a + b)
    for a in syllables:
        for b in syllables:
            for c in syllables:
                if len(vocab) >= SOT_ID:
                    return vocab
                add(a + b + c)
    return vocab


def tokenizer(vocab):
    def special(i, token):
        return {"id": i, "content": token, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True}

    sot, eot = "<|startoftext|>", "<|endoftext|>"
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special(0, "[UNK]"), special(SOT_ID, sot), special(EOT_ID, eot)],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": sot, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": eot, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": sot, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": eot, "type_id": 0}}],
            "special_tokens": {
                sot: {"id": sot, "ids": [SOT_ID], "tokens": [sot]},
                eot: {"id": eot, "ids": [EOT_ID], "tokens": [eot]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }


def as_json(value, indent=2):
    return (json.dumps(value, indent=indent, ensure_ascii=False) + "\n").encode("utf-8")


def config():
    return {
        "_comment": "Random weights with the shape of openai/clip-vit-base-patch32; written by scripts/make-shaped-pack.py",
        "architectures": ["CLIPModel"],
        "model_type": "clip",
        "projection_dim": PROJECTION,
        "logit_scale_init_value": 2.6592,
        "text_config": {
            "model_type": "clip_text_model",
            "vocab_size": TEXT["vocab"],
            "hidden_size": TEXT["width"],
            "intermediate_size": TEXT["mlp"],
            "num_attention_heads": TEXT["heads"],
            "num_hidden_layers": TEXT["layers"],
            "max_position_embeddings": TEXT["context"],
            "hidden_act": "quick_gelu",
            "layer_norm_eps": LN_EPS,
            "projection_dim": PROJECTION,
            "bos_token_id": SOT_ID,
            "eos_token_id": EOT_ID,
            "pad_token_id": EOT_ID,
        },
        "vision_config": {
            "model_type": "clip_vision_model",
            "image_size": VISION["image"],
            "patch_size": VISION["patch"],
            "num_channels": 3,
            "hidden_size": VISION["width"],
            "intermediate_size": VISION["mlp"],
            "num_attention_heads": VISION["heads"],
            "num_hidden_layers": VISION["layers"],
            "hidden_act": "quick_gelu",
            "layer_norm_eps": LN_EPS,
            "projection_dim": PROJECTION,
        },
    }


def preprocessor_config():
    # As openai/clip-vit-base-patch32's (the Xenova export's) preprocessor_config.json.
    return {
        "crop_size": {"height": 224, "width": 224},
        "do_center_crop": True,
        "do_convert_rgb": True,
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": True,
        "feature_extractor_type": "CLIPFeatureExtractor",
        "image_mean": MEAN,
        "image_processor_type": "CLIPImageProcessor",
        "image_std": STD_PIXEL,
        "resample": 3,
        "rescale_factor": 0.00392156862745098,
        "size": {"shortest_edge": 224},
    }


README = """# clip-vit-b32-shaped: a benchmark model pack (random weights)

Made by `/usr/bin/python3 scripts/make-shaped-pack.py`. Two ONNX graphs with exactly the architecture of CLIP
ViT-B/32 (image tower: patch 32, width 768, 12 layers, 224 px; text tower: width 512, 12 layers, 77 positions,
49,408 tokens) and random weights, so `npm run bench` measures the true compute of that model. Its embeddings
mean nothing: never index a real library with it. Not committed (about 600 MB); re-run the script to rebuild.
Licence: MIT.
"""


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    out = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    started = time.perf_counter()
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "onnx"))
    rng = np.random.default_rng(SEED)

    for path, build in [("onnx/vision_model.onnx", vision_model), ("onnx/text_model.onnx", text_model)]:
        t0 = time.perf_counter()
        model = build(rng)
        onnx.save_model(model, os.path.join(out, path), save_as_external_data=False)
        size = os.path.getsize(os.path.join(out, path))
        print(f"  {path}: {size / 1e6:.1f} MB, {len(model.graph.node)} nodes ({time.perf_counter() - t0:.1f} s)", flush=True)
        del model

    vocab = vocabulary()
    small = {
        "tokenizer.json": as_json(tokenizer(vocab), indent=None),
        "tokenizer_config.json": as_json({
            "model_max_length": TEXT["context"],
            "bos_token": "<|startoftext|>",
            "eos_token": "<|endoftext|>",
            "pad_token": "<|endoftext|>",
            "unk_token": "[UNK]",
            "do_lower_case": True,
            "tokenizer_class": "BertTokenizer",
            "clean_up_tokenization_spaces": True,
        }),
        "config.json": as_json(config()),
        "preprocessor_config.json": as_json(preprocessor_config()),
        "README.md": README.encode("utf-8"),
    }
    for path, data in small.items():
        with open(os.path.join(out, path), "wb") as f:
            f.write(data)

    # The manifest goes last: it records the size and sha256 of every other file.
    paths = sorted(["onnx/vision_model.onnx", "onnx/text_model.onnx", *small])
    manifest = {
        "format": 1,
        "id": "clip-vit-b32-shaped",
        "revision": "random-1",
        "title": "CLIP ViT-B/32 shape, random weights (benchmarks only)",
        "licence": "MIT",
        "dimensions": PROJECTION,
        "contextLength": TEXT["context"],
        "towers": {
            "image": {"file": "onnx/vision_model.onnx", "output": "image_embeds"},
            "text": {"file": "onnx/text_model.onnx", "output": "text_embeds"},
        },
        "files": [
            {"path": p, "size": os.path.getsize(os.path.join(out, p)), "sha256": sha256(os.path.join(out, p))}
            for p in paths
        ],
    }
    with open(os.path.join(out, "trove-pack.json"), "wb") as f:
        f.write(as_json(manifest))

    total = sum(f["size"] for f in manifest["files"]) + os.path.getsize(os.path.join(out, "trove-pack.json"))
    shown = os.path.relpath(out, ROOT) if out.startswith(ROOT + os.sep) else out
    print(f"wrote {shown} ({len(paths) + 1} files, {total / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
