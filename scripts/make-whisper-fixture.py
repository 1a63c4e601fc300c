#!/usr/bin/env python3
"""Writes the tiny Whisper-shaped speech pack used by Trove's tests: test/fixtures/packs/whisper-tiny-fixture/.

The pack has the layout and the exact input/output signature of a Hugging Face / transformers.js ONNX export of
Whisper (e.g. onnx-community/whisper-base): config.json, generation_config.json, preprocessor_config.json,
tokenizer.json, tokenizer_config.json, onnx/encoder_model.onnx, onnx/decoder_model_merged.onnx (KV cache,
use_cache_branch), onnx/decoder_model.onnx (no cache), fp16 variants of both merged graphs
(onnx/*_fp16.onnx, float16 inputs and outputs), plus Trove's manifest trove-pack.json. Its graphs are hand-built,
not trained, and transcribe by rule, so tests see the real code path produce times that follow the audio:

  * encoder_model: input_features [batch, 80, 3000] -> last_hidden_state [batch, 1500, 8]. A mel frame is
    voiced when its mean log-mel is above VOICED (-0.3; silence is about -0.75, espeak-ng speech -0.2..0.5);
    pairs of frames are joined (1500 frames of 20 ms, one per timestamp step), gaps shorter than 0.5 s are
    closed (a max-pool then a min-pool of 25 frames), and each frame carries [voiced, onset, offset, 1, energy].
  * decoder_model_merged: input_ids, encoder_hidden_states, past_key_values.0.{decoder,encoder}.{key,value},
    use_cache_branch -> logits, present.0.*. The first step (use_cache_branch false) computes the cross-attention
    cache from encoder_hidden_states; later steps read the frames only from past_key_values.0.encoder.value, so a
    runtime that passes the cache wrongly gets a wrong transcript. The self-attention cache holds, per position,
    [is timestamp, timestamp index, is text]; from it each step knows the last timestamp T and how many were
    sampled. Then, like a Whisper model would: after the prompt or a closing timestamp, the next onset at or
    after T (as a timestamp token; <|endoftext|> when none); after an opening timestamp, a word ("hello" when
    the voiced span lasts at least 0.8 s or runs past the window, else "yes"); after the word, the first offset
    after T (<|endoftext|> when the speech runs past the window: an unfinished segment). <|nospeech|> is likely
    only when no frame is voiced; language logits favour <|en|>.
  * decoder_model: the same without past inputs (the whole sequence each step).
  * tokenizer.json: byte-level BPE like Whisper's (GPT-2 byte alphabet first, so " " is token 220), a few
    dozen ordinary words, and every special token Whisper has: <|endoftext|>, <|startoftranscript|>, six language
    tokens, <|translate|>, <|transcribe|>, <|startoflm|>, <|startofprev|>, <|nospeech|>, <|notimestamps|> and
    the 1501 timestamps <|0.00|> ... <|30.00|>.

No randomness: the output is the same on every run for a given version of the onnx package (Debian bookworm's
python3-onnx 1.12 wrote the committed files; test/unit/models/whisper-fixture.test.ts regenerates and compares).

Usage: /usr/bin/python3 scripts/make-whisper-fixture.py [output dir]   (needs onnx and numpy; default: the pack)
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
    sys.exit(f"make-whisper-fixture: {err}; install the onnx and numpy Python packages (apt: python3-onnx python3-numpy)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "test", "fixtures", "packs", "whisper-tiny-fixture")

OPSET = 17
IR_VERSION = 8
N_MELS = 80
N_FRAMES = 3000
ENC_FRAMES = 1500
D_MODEL = 8
HEADS = 2
HEAD_DIM = D_MODEL // HEADS
TIMESTAMPS = 1501
MAX_TARGET = 448

VOICED = -0.3  # mean normalised log-mel above which a frame is voiced
CLOSE = 25  # frames (of 20 ms) of the closing that joins words into one span: gaps under 0.5 s
LONG_SPAN = 40  # frames: a span of at least 0.8 s says "hello", a shorter one "yes"

WORDS = """hello yes no world the a and of to in is it trove photo note voice memo good morning day night today
one two three four five red blue green beach dog cat tree house""".split()
LANGUAGES = ["en", "zh", "de", "es", "fr", "ja"]
LANGUAGE_LOGITS = {"en": 4.0, "de": 2.0, "zh": 1.0}
SUPPRESSED_PUNCTUATION = list('"#()*+/:;<=>@[\\]^_`{|}~')


# --- tokenizer ---------------------------------------------------------------------------------------------------

def byte_alphabet():
    """GPT-2's byte -> printable character table, in its order: the printable bytes, then the rest mapped above 255."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    table = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    return [table[b] for b in printable] + [table[b] for b in range(256) if b not in printable], table


def build_vocab():
    order, table = byte_alphabet()
    vocab = {ch: i for i, ch in enumerate(order)}
    merges = []
    for word in WORDS:
        for form in (" " + word, word):
            pieces = [table[b] for b in form.encode("utf-8")]
            current = pieces[0]
            for nxt in pieces[1:]:
                merged = current + nxt
                if merged not in vocab:
                    vocab[merged] = len(vocab)
                    merges.append(f"{current} {nxt}")
                current = merged
    return vocab, merges, table


def specials(eot):
    names = ["<|endoftext|>", "<|startoftranscript|>"] + [f"<|{c}|>" for c in LANGUAGES] + [
        "<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>", "<|nospeech|>", "<|notimestamps|>"]
    ids = {name: eot + i for i, name in enumerate(names)}
    ts_begin = eot + len(names)
    return ids, ts_begin


def tokenizer_json(vocab, merges, ids, ts_begin):
    def added(i, content, special=True, full=True):
        if not full:  # the 1501 timestamps: the short form keeps the committed file small
            return {"id": i, "content": content, "special": special}
        return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": special}

    tokens = [added(i, name) for name, i in ids.items()]
    tokens += [added(ts_begin + k, f"<|{k * 0.02:.2f}|>", special=False, full=False) for k in range(TIMESTAMPS)]
    sot, eot, nts = "<|startoftranscript|>", "<|endoftext|>", "<|notimestamps|>"
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": tokens,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": sot, "type_id": 0}}, {"SpecialToken": {"id": nts, "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": eot, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": sot, "type_id": 0}}, {"SpecialToken": {"id": nts, "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": eot, "type_id": 1}}],
            "special_tokens": {t: {"id": t, "ids": [ids[t]], "tokens": [t]} for t in (sot, nts, eot)},
        },
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": merges},
    }


# --- graphs ------------------------------------------------------------------------------------------------------

class Graph:
    def __init__(self, prefix=""):
        self.nodes = []
        self.initializers = []
        self.count = 0
        self.prefix = prefix

    def name(self, base):
        self.count += 1
        return f"{self.prefix}{base}_{self.count}"

    def op(self, op_type, inputs, base=None, out=None, **attrs):
        out = out or self.name(base or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=self.name("node"), **attrs))
        return out

    def const(self, value, dtype=np.float32, base="const"):
        name = self.name(base)
        self.initializers.append(numpy_helper.from_array(np.array(value, dtype=dtype), name))
        return name

    def ints(self, values):
        return self.const(values, np.int64, "ints")

    def f(self, value):
        return self.const(value, np.float32, "f")

    def cast(self, x, to=TensorProto.FLOAT):
        return self.op("Cast", [x], "cast", to=to)

    def shape_dim(self, x, axis):
        return self.op("Slice", [self.op("Shape", [x]), self.ints([axis]), self.ints([axis + 1])], "dim")

    def last_axis(self, x, index):
        """x[..., index:index+1]"""
        return self.op("Slice", [x, self.ints([index]), self.ints([index + 1]), self.ints([-1])], "channel")


def io(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def finish(g, name, inputs, outputs, fp16_io):
    """Wraps a float32 graph: with fp16_io, float inputs arrive and outputs leave as float16 (Casts at the edges)."""
    nodes = list(g.nodes)
    if fp16_io:
        pre, post = [], []
        for vi in inputs:
            if vi.type.tensor_type.elem_type == TensorProto.FLOAT:
                vi.type.tensor_type.elem_type = TensorProto.FLOAT16
                pre.append(helper.make_node("Cast", [vi.name], [vi.name + "__f32"], name=vi.name + "__cast", to=TensorProto.FLOAT))
                for n in nodes:
                    rename(n, vi.name, vi.name + "__f32")
        for vo in outputs:
            if vo.type.tensor_type.elem_type == TensorProto.FLOAT:
                vo.type.tensor_type.elem_type = TensorProto.FLOAT16
                for n in nodes:
                    n.output[:] = [o + "__f32" if o == vo.name else o for o in n.output]
                    rename(n, vo.name, vo.name + "__f32")  # and where the graph itself reads it
                post.append(helper.make_node("Cast", [vo.name + "__f32"], [vo.name], name=vo.name + "__cast", to=TensorProto.FLOAT16))
        nodes = pre + nodes + post
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="trove/scripts/make-whisper-fixture.py", producer_version="1")
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model, full_check=True)
    return model


def rename(node, old, new):
    node.input[:] = [new if i == old else i for i in node.input]
    for attr in node.attribute:
        if attr.type == onnx.AttributeProto.GRAPH:
            for sub in attr.g.node:
                rename(sub, old, new)


def encoder_model(fp16_io=False):
    g = Graph()
    x = "input_features"  # [B, 80, 3000]
    energy = g.op("ReduceMean", [x], "energy", axes=[1], keepdims=1)  # [B, 1, 3000]
    voiced = g.cast(g.op("Greater", [energy, g.f(VOICED)]))
    voiced = g.op("MaxPool", [voiced], "pairs", kernel_shape=[2], strides=[2])  # [B, 1, 1500]
    energy = g.op("AveragePool", [energy], "energy2", kernel_shape=[2], strides=[2])
    half = CLOSE // 2
    dilated = g.op("MaxPool", [voiced], "dilate", kernel_shape=[CLOSE], strides=[1], pads=[half, half])
    eroded = g.op("MaxPool", [g.op("Neg", [dilated])], "erode", kernel_shape=[CLOSE], strides=[1], pads=[half, half])
    voiced = g.op("Neg", [eroded])
    zero = g.op("Mul", [g.op("Slice", [voiced, g.ints([0]), g.ints([1]), g.ints([2])]), g.f(0.0)], "zero")  # [B, 1, 1]
    before = g.op("Concat", [zero, g.op("Slice", [voiced, g.ints([0]), g.ints([ENC_FRAMES - 1]), g.ints([2])])], "before", axis=2)
    one = g.f(1.0)
    onset = g.op("Mul", [voiced, g.op("Sub", [one, before])], "onset")
    offset = g.op("Mul", [before, g.op("Sub", [one, voiced])], "offset")
    ones = g.op("Add", [zero, one], "one")
    ones = g.op("Expand", [ones, g.op("Shape", [voiced])], "ones")
    zeros3 = g.op("Concat", [g.op("Mul", [ones, g.f(0.0)])] * 3, "zeros3", axis=1)
    channels = g.op("Concat", [voiced, onset, offset, ones, energy, zeros3], "channels", axis=1)  # [B, 8, 1500]
    hidden = g.op("Transpose", [channels], perm=[0, 2, 1])  # [B, 1500, 8]
    # A projection like a real encoder's last layer, here the identity.
    g.op("Add", [g.op("MatMul", [hidden, g.const(np.eye(D_MODEL))]), g.const(np.zeros(D_MODEL))], out="last_hidden_state")
    return finish(g, "whisper_fixture_encoder",
                  [io("input_features", TensorProto.FLOAT, ["batch_size", N_MELS, N_FRAMES])],
                  [io("last_hidden_state", TensorProto.FLOAT, ["batch_size", ENC_FRAMES, D_MODEL])], fp16_io)


def cross_cache(g, hidden):
    """Cross-attention keys and values [B, heads, 1500, head_dim] from encoder_hidden_states."""
    def project(weights):
        y = g.op("MatMul", [hidden, g.const(weights)])
        y = g.op("Reshape", [y, g.ints([0, -1, HEADS, HEAD_DIM])])
        return g.op("Transpose", [y], perm=[0, 2, 1, 3])
    return project(np.eye(D_MODEL) * 0.5), project(np.eye(D_MODEL))


def decoder_model(vocab_size, ids, ts_begin, word_ids, with_past, fp16_io=False):
    g = Graph()
    eot = ids["<|endoftext|>"]
    # Token features of the new positions: [is timestamp, timestamp index, is text, 0].
    idf = g.cast("input_ids")  # [B, L]
    is_ts = g.cast(g.op("GreaterOrEqual", [idf, g.f(ts_begin)]))
    ts_index = g.op("Mul", [g.op("Sub", [idf, g.f(ts_begin)]), is_ts], "ts_index")
    is_text = g.cast(g.op("Less", [idf, g.f(eot)]))
    zero_ch = g.op("Mul", [idf, g.f(0.0)])
    feat = g.op("Concat", [g.op("Unsqueeze", [t, g.ints([2])]) for t in (is_ts, ts_index, is_text, zero_ch)], "features", axis=2)  # [B, L, 4]
    new = g.op("Unsqueeze", [feat, g.ints([1])])
    new = g.op("Concat", [new] * HEADS, "new_kv", axis=1)  # [B, heads, L, 4]

    if with_past:
        self_key = g.op("Concat", ["past_key_values.0.decoder.key", new], axis=2, out="present.0.decoder.key")
        self_value = g.op("Concat", ["past_key_values.0.decoder.value", new], axis=2, out="present.0.decoder.value")
        past_len = g.shape_dim("past_key_values.0.decoder.key", 2)
        # The merged graph's branch: compute the cross cache now, or take it from the inputs.
        then_g = Graph("then_")
        then_g.op("Identity", ["past_key_values.0.encoder.key"], out="then_key")
        then_g.op("Identity", ["past_key_values.0.encoder.value"], out="then_value")
        else_g = Graph("else_")
        k, v = cross_cache(else_g, "encoder_hidden_states")
        else_g.op("Identity", [k], out="else_key")
        else_g.op("Identity", [v], out="else_value")
        branch_out = lambda n: io(n, TensorProto.FLOAT, ["batch_size", HEADS, "encoder_sequence_length_out", HEAD_DIM])  # noqa: E731
        then_graph = helper.make_graph(then_g.nodes, "cache_branch", [], [branch_out("then_key"), branch_out("then_value")], then_g.initializers)
        else_graph = helper.make_graph(else_g.nodes, "no_cache_branch", [], [branch_out("else_key"), branch_out("else_value")], else_g.initializers)
        g.nodes.append(helper.make_node("If", ["use_cache_branch"], ["present.0.encoder.key", "present.0.encoder.value"],
                                        name="optimum::if", then_branch=then_graph, else_branch=else_graph))
        cross_value = "present.0.encoder.value"
    else:
        self_key = g.op("Identity", [new], out="present.0.decoder.key")
        self_value = g.op("Identity", [new], out="present.0.decoder.value")
        past_len = g.ints([0])
        k, v = cross_cache(g, "encoder_hidden_states")
        g.op("Identity", [k], out="present.0.encoder.key")
        cross_value = g.op("Identity", [v], out="present.0.encoder.value")
    del self_key

    # Causal view of the cache: query i (absolute position past + i) sees positions j <= past + i.
    seq_len = g.shape_dim("input_ids", 1)
    total = g.op("Add", [past_len, seq_len], "total")
    scalar = lambda t: g.op("Squeeze", [t, g.ints([0])])  # noqa: E731
    j = g.cast(g.op("Range", [scalar(g.ints([0])), scalar(total), scalar(g.ints([1]))], "positions"))
    i_abs = g.cast(g.op("Range", [scalar(past_len), scalar(total), scalar(g.ints([1]))], "queries"))
    mask = g.cast(g.op("LessOrEqual", [g.op("Unsqueeze", [j, g.ints([0])]), g.op("Unsqueeze", [i_abs, g.ints([1])])]))  # [L, T]
    cache = g.op("Gather", [self_value, g.ints(0)], "head0", axis=1)  # [B, T, 4]
    cache_ts = g.op("Squeeze", [g.last_axis(cache, 0), g.ints([2])])  # [B, T]
    cache_index = g.op("Squeeze", [g.last_axis(cache, 1), g.ints([2])])
    count = g.op("MatMul", [mask, g.op("Unsqueeze", [cache_ts, g.ints([2])])], "count")  # [B, L, 1]
    seen = g.op("Mul", [g.op("Unsqueeze", [mask, g.ints([0])]), g.op("Unsqueeze", [cache_index, g.ints([1])])])  # [B, L, T]
    last_ts = g.op("ReduceMax", [seen], "last_ts", axes=[2], keepdims=1)  # [B, L, 1]: timestamps never decrease
    odd = g.op("Mod", [count, g.f(2.0)], fmod=1)

    cur_ts = g.last_axis(feat, 0)  # [B, L, 1]
    cur_text = g.last_axis(feat, 2)
    one = g.f(1.0)
    not_ = lambda t: g.op("Sub", [one, t])  # noqa: E731
    mul = lambda *ts: _chain(g, "Mul", ts)  # noqa: E731
    add = lambda *ts: _chain(g, "Add", ts)  # noqa: E731
    s_start = add(mul(not_(cur_text), not_(cur_ts)), mul(cur_ts, not_(odd)))
    s_word = mul(cur_ts, odd)
    s_end = cur_text

    # Frame features from the cross cache, padded to 1501 frames (timestamp 30.00 has none).
    frames = g.op("Gather", [cross_value, g.ints(0)], "frames", axis=1)  # [B, 1500, 4]
    frames = g.op("Pad", [frames, g.ints([0, 0, 0, 0, 1, 0])], "frames_padded")  # [B, 1501, 4]
    channel = lambda c: g.op("Unsqueeze", [g.op("Squeeze", [g.last_axis(frames, c), g.ints([2])]), g.ints([1])])  # noqa: E731
    voiced, onset, offset = channel(0), channel(1), channel(2)  # [B, 1, 1501]
    k = g.cast(g.op("Range", [scalar(g.ints([0])), scalar(g.ints([TIMESTAMPS])), scalar(g.ints([1]))], "steps"))
    at_or_after = g.cast(g.op("GreaterOrEqual", [k, last_ts]))  # [B, L, 1501]
    after = g.cast(g.op("Greater", [k, last_ts]))
    earliest = g.op("Sub", [g.f(10000.0), k])

    def first(marks):
        any_ = g.op("ReduceMax", [marks], axes=[2], keepdims=1)
        where = g.cast(g.op("ArgMax", [mul(marks, earliest)], axis=2, keepdims=1))
        onehot = mul(g.cast(g.op("Equal", [k, where])), any_)
        return any_, where, onehot

    any_on, _, first_on = first(mul(onset, at_or_after))
    any_off, off_at, first_off = first(mul(offset, after))
    voiced_after = g.op("ReduceMax", [mul(voiced, at_or_after)], axes=[2], keepdims=1)
    any_voiced = g.op("ReduceMax", [voiced], axes=[2], keepdims=1)  # [B, 1, 1]
    long_span = g.op("Max", [g.cast(g.op("GreaterOrEqual", [g.op("Sub", [off_at, last_ts]), g.f(LONG_SPAN)])), not_(any_off)])

    ramp = g.op("Mul", [g.op("Min", [k, g.f(100.0)]), g.f(0.05)], "ramp")
    ts_logits = add(mul(s_start, add(mul(first_on, g.f(20.0)), ramp)), mul(s_end, first_off, g.f(20.0)))  # [B, L, 1501]
    eot_logit = add(mul(s_start, not_(any_on), g.f(25.0)), mul(s_word, not_(voiced_after), g.f(25.0)), mul(s_end, not_(any_off), g.f(20.0)))
    speaking = mul(s_word, voiced_after, g.f(20.0))
    hello = mul(speaking, long_span)
    yes = mul(speaking, not_(long_span))
    no_speech = mul(not_(any_voiced), g.f(30.0))

    # logits over ids below <|0.00|>: each column that is not zero, as value × one-hot of its id.
    low = g.cast(g.op("Range", [scalar(g.ints([0])), scalar(g.ints([ts_begin])), scalar(g.ints([1]))], "low_ids"))
    onehot = lambda i: g.cast(g.op("Equal", [low, g.f(float(i))]))  # noqa: E731
    low_logits = add(
        mul(hello, onehot(word_ids["hello"])),
        mul(yes, onehot(word_ids["yes"])),
        mul(eot_logit, onehot(eot)),
        mul(g.op("Add", [no_speech, g.op("Mul", [s_start, g.f(0.0)])]), onehot(ids["<|nospeech|>"])),
        *[mul(g.f(v), onehot(ids[f"<|{c}|>"])) for c, v in LANGUAGE_LOGITS.items()],
    )  # [B, L, ts_begin]
    g.op("Concat", [low_logits, ts_logits], axis=2, out="logits")

    past = []
    if with_past:
        for kind in ("decoder", "encoder"):
            for part in ("key", "value"):
                seq = "past_decoder_sequence_length" if kind == "decoder" else "encoder_sequence_length_out"
                past.append(io(f"past_key_values.0.{kind}.{part}", TensorProto.FLOAT, ["batch_size", HEADS, seq, HEAD_DIM]))
    inputs = [io("input_ids", TensorProto.INT64, ["batch_size", "decoder_sequence_length"]),
              io("encoder_hidden_states", TensorProto.FLOAT, ["batch_size", "encoder_sequence_length / 2", D_MODEL])]
    inputs += past
    if with_past:
        inputs.append(io("use_cache_branch", TensorProto.BOOL, [1]))
    present_len = "past_decoder_sequence_length + decoder_sequence_length" if with_past else "decoder_sequence_length"
    outputs = [io("logits", TensorProto.FLOAT, ["batch_size", "decoder_sequence_length", vocab_size])]
    for kind in ("decoder", "encoder"):
        for part in ("key", "value"):
            seq = present_len if kind == "decoder" else "encoder_sequence_length_out"
            outputs.append(io(f"present.0.{kind}.{part}", TensorProto.FLOAT, ["batch_size", HEADS, seq, HEAD_DIM]))
    name = "whisper_fixture_decoder_merged" if with_past else "whisper_fixture_decoder"
    return finish(g, name, inputs, outputs, fp16_io)


def _chain(g, op, terms):
    out = terms[0]
    for t in terms[1:]:
        out = g.op(op, [out, t])
    return out


# --- configs -----------------------------------------------------------------------------------------------------

def configs(vocab_size, ids, ts_begin, table, vocab):
    eot = ids["<|endoftext|>"]
    sot = ids["<|startoftranscript|>"]
    config = {
        "_comment": "A hand-built Whisper-shaped test model; written by scripts/make-whisper-fixture.py",
        "architectures": ["WhisperForConditionalGeneration"],
        "model_type": "whisper",
        "d_model": D_MODEL,
        "encoder_layers": 1,
        "decoder_layers": 1,
        "encoder_attention_heads": HEADS,
        "decoder_attention_heads": HEADS,
        "encoder_ffn_dim": 4 * D_MODEL,
        "decoder_ffn_dim": 4 * D_MODEL,
        "num_mel_bins": N_MELS,
        "num_hidden_layers": 1,
        "vocab_size": vocab_size,
        "max_source_positions": ENC_FRAMES,
        "max_target_positions": MAX_TARGET,
        "bos_token_id": eot,
        "eos_token_id": eot,
        "pad_token_id": eot,
        "decoder_start_token_id": sot,
        "use_cache": True,
    }
    generation = {
        "alignment_heads": [[0, 0]],
        "begin_suppress_tokens": [vocab[table[ord(" ")]], eot],
        "bos_token_id": eot,
        "decoder_start_token_id": sot,
        "eos_token_id": eot,
        "forced_decoder_ids": [[1, None], [2, ids["<|transcribe|>"]]],
        "is_multilingual": True,
        "lang_to_id": {f"<|{c}|>": ids[f"<|{c}|>"] for c in LANGUAGES},
        "max_initial_timestamp_index": 50,
        "max_length": MAX_TARGET,
        "no_timestamps_token_id": ids["<|notimestamps|>"],
        "pad_token_id": eot,
        "prev_sot_token_id": ids["<|startofprev|>"],
        "return_timestamps": False,
        "suppress_tokens": sorted(vocab[table[ord(c)]] for c in SUPPRESSED_PUNCTUATION),
        "task_to_id": {"translate": ids["<|translate|>"], "transcribe": ids["<|transcribe|>"]},
    }
    preprocessor = {
        "chunk_length": 30,
        "feature_extractor_type": "WhisperFeatureExtractor",
        "feature_size": N_MELS,
        "hop_length": 160,
        "n_fft": 400,
        "n_samples": 480000,
        "nb_max_frames": N_FRAMES,
        "padding_side": "right",
        "padding_value": 0.0,
        "processor_class": "WhisperProcessor",
        "return_attention_mask": False,
        "sampling_rate": 16000,
    }
    tokenizer_config = {
        "add_prefix_space": False,
        "bos_token": "<|endoftext|>",
        "clean_up_tokenization_spaces": True,
        "eos_token": "<|endoftext|>",
        "errors": "replace",
        "model_max_length": 1024,
        "pad_token": "<|endoftext|>",
        "processor_class": "WhisperProcessor",
        "tokenizer_class": "WhisperTokenizer",
        "unk_token": "<|endoftext|>",
    }
    return config, generation, preprocessor, tokenizer_config


README = """# whisper-tiny-fixture: a hand-built Whisper-shaped speech pack for tests

Made by `/usr/bin/python3 scripts/make-whisper-fixture.py`; do not edit by hand (the test regenerates it and
compares). The layout and input/output names are those of a Hugging Face / transformers.js ONNX export of
Whisper; the graphs transcribe by rule: each voiced span of the audio becomes `<|start|> hello <|end|>` ("yes"
for spans under 0.8 s), with the times of the span. Licence: MIT.
"""


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def as_json(value, indent=2):
    return (json.dumps(value, indent=indent, ensure_ascii=False) + "\n").encode("utf-8")


def main():
    out = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "onnx"))

    vocab, merges, table = build_vocab()
    eot = len(vocab)
    ids, ts_begin = specials(eot)
    vocab_size = ts_begin + TIMESTAMPS
    word_ids = {w: vocab[table[ord(" ")] + w] for w in ("hello", "yes")}

    graphs = {
        "onnx/encoder_model.onnx": encoder_model(),
        "onnx/encoder_model_fp16.onnx": encoder_model(fp16_io=True),
        "onnx/decoder_model_merged.onnx": decoder_model(vocab_size, ids, ts_begin, word_ids, with_past=True),
        "onnx/decoder_model_merged_fp16.onnx": decoder_model(vocab_size, ids, ts_begin, word_ids, with_past=True, fp16_io=True),
        "onnx/decoder_model.onnx": decoder_model(vocab_size, ids, ts_begin, word_ids, with_past=False),
    }
    for path, model in graphs.items():
        onnx.save_model(model, os.path.join(out, path))

    config, generation, preprocessor, tokenizer_config = configs(vocab_size, ids, ts_begin, table, vocab)
    small = {
        "config.json": as_json(config),
        "generation_config.json": as_json(generation),
        "preprocessor_config.json": as_json(preprocessor),
        "tokenizer.json": as_json(tokenizer_json(vocab, merges, ids, ts_begin), indent=None),
        "tokenizer_config.json": as_json(tokenizer_config),
        "README.md": README.encode("utf-8"),
    }
    for path, data in small.items():
        with open(os.path.join(out, path), "wb") as f:
            f.write(data)

    paths = sorted([*graphs, *small])
    manifest = {
        "format": 1,
        "id": "fixture-whisper",
        "revision": "1",
        "title": "Whisper-shaped fixture (tests)",
        "licence": "MIT",
        "task": "speech",
        "dimensions": D_MODEL,
        "contextLength": MAX_TARGET,
        "towers": {
            "encoder": {"file": "onnx/encoder_model.onnx", "variants": {"fp16": "onnx/encoder_model_fp16.onnx"}},
            "decoder": {"file": "onnx/decoder_model_merged.onnx", "variants": {"fp16": "onnx/decoder_model_merged_fp16.onnx"}},
        },
        "files": [{"path": p, "size": os.path.getsize(os.path.join(out, p)), "sha256": sha256(os.path.join(out, p))} for p in paths],
    }
    with open(os.path.join(out, "trove-pack.json"), "wb") as f:
        f.write(as_json(manifest))
    total = sum(f["size"] for f in manifest["files"])
    shown = os.path.relpath(out, ROOT) if out.startswith(ROOT + os.sep) else out
    print(f"wrote {shown} ({len(paths) + 1} files, {total / 1000:.1f} kB); vocabulary {vocab_size}, <|endoftext|> {eot}")


if __name__ == "__main__":
    main()
