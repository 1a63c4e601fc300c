#!/usr/bin/env python3
"""Writes random-weight ONNX graphs with exactly the shape of Whisper base, for benchmarks.

`npm run bench` measures what transcription costs on this machine. The fixture Whisper pack is a few kilobytes
and measures nothing; a real export cannot be downloaded here. These graphs have the compute of openai/whisper-base
as exported by onnx-community/whisper-base (same inputs and outputs), with random weights:

  * onnx/encoder_model.onnx: input_features float32 [batch, 80, 3000] -> last_hidden_state [batch, 1500, 512].
    Conv1d 80->512 (kernel 3, padding 1) + GELU, Conv1d 512->512 (kernel 3, stride 2, padding 1) + GELU,
    1500 sinusoidal positions, 6 pre-LayerNorm layers of width 512 (8 heads of 64; q, v, out projections with bias,
    k without; MLP 512->2048->512 with GELU), final LayerNorm.
  * onnx/decoder_model_merged.onnx: input_ids, encoder_hidden_states, past_key_values.{0..5}.{decoder,encoder}.
    {key,value}, use_cache_branch -> logits [batch, sequence, 51865], present.*. Token embedding 51865 x 512 (tied
    to the output projection), 448 learned positions offset by the cached length, 6 layers: causal self-attention
    over cache + new tokens, cross-attention over the 1500 encoder frames, MLP 2048; final LayerNorm. An If on
    use_cache_branch computes the cross-attention keys and values from encoder_hidden_states at the first step and
    passes the cached ones through afterwards, as the merged export does.
  * onnx/*_quantized.onnx: the same graphs with every weight matrix quantized to int8 the way onnxruntime's
    dynamic quantization writes them (DynamicQuantizeLinear on the activations, MatMulInteger, rescale), which
    onnxruntime fuses into DynamicQuantizeMatMul: the int8 variant Trove installs on a CPU.
  * config.json, preprocessor_config.json (Whisper's).

Weights: numpy, fixed seed, normal with std 0.02 (LayerNorm scale 1, biases 0). About 290 MB fp32 + 185 MB int8
(the int8 decoder keeps the float token table for its lookups);
never commit them: the default directory, bench/.cache/, is gitignored.

Usage: /usr/bin/python3 scripts/make-whisper-shaped-pack.py [output dir]   (default bench/.cache/packs/whisper-base-shaped)
Needs numpy and onnx (Debian: python3-numpy python3-onnx); no network. config.json is written last, so a directory
without it is an interrupted run.
"""

import json
import math
import os
import shutil
import sys
import time

try:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError as err:  # pragma: no cover
    sys.exit(f"make-whisper-shaped-pack: {err}; install the onnx and numpy Python packages (apt: python3-onnx python3-numpy)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "bench", ".cache", "packs", "whisper-base-shaped")

OPSET = 17
IR_VERSION = 8
SEED = 20261124
STD = 0.02
LN_EPS = 1e-5
NEG = -1e9

N_MELS = 80
N_FRAMES = 3000
ENC_FRAMES = 1500
WIDTH = 512
HEADS = 8
HEAD = WIDTH // HEADS
MLP = 2048
ENC_LAYERS = 6
DEC_LAYERS = 6
VOCAB = 51865
MAX_TARGET = 448


class Graph:
    """Collects nodes and initializers; with `quantize`, weight matrices become int8 (dynamic quantization)."""

    def __init__(self, rng, quantize, prefix=""):
        self.rng = rng
        self.quantize = quantize
        self.prefix = prefix
        self.nodes = []
        self.initializers = []
        self.count = 0

    def name(self, base):
        self.count += 1
        return f"{self.prefix}{base}_{self.count}"

    def op(self, op_type, inputs, base=None, out=None, outputs=1, **attrs):
        names = [out] if out else [self.name(base or op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, name=self.name("node"), **attrs))
        return names[0] if outputs == 1 else names

    def const(self, array, base="const"):
        name = self.name(base)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def ints(self, values):
        return self.const(np.array(values, dtype=np.int64), "ints")

    def f(self, value):
        return self.const(np.array(value, dtype=np.float32), "f")

    def normal(self, shape, std=STD):
        a = self.rng.standard_normal(shape, dtype=np.float32)
        a *= np.float32(std)
        return a

    def matmul_weight(self, x, weight):
        """x @ weight for a constant weight [K, N]: float, or int8 as onnxruntime's dynamic quantization writes it."""
        if not self.quantize:
            return self.op("MatMul", [x, self.const(weight, "weight")])
        scale = np.float32(max(float(np.abs(weight).max()), 1e-8) / 127.0)
        q = np.clip(np.round(weight / scale), -127, 127).astype(np.int8)
        xq, xs, xz = self.op("DynamicQuantizeLinear", [x], outputs=3)
        y = self.op("MatMulInteger", [xq, self.const(q, "weight_int8"), xz, self.const(np.array(0, dtype=np.int8), "weight_zero")])
        y = self.op("Cast", [y], to=TensorProto.FLOAT)
        return self.op("Mul", [y, self.op("Mul", [xs, self.const(np.array(scale), "weight_scale")])])

    def linear(self, x, d_in, d_out, bias=True):
        y = self.matmul_weight(x, self.normal((d_in, d_out)))
        return self.op("Add", [y, self.const(np.zeros(d_out, dtype=np.float32), "bias")]) if bias else y

    def layer_norm(self, x):
        scale = self.const(np.ones(WIDTH, dtype=np.float32), "ln_scale")
        bias = self.const(np.zeros(WIDTH, dtype=np.float32), "ln_bias")
        return self.op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=LN_EPS)

    def gelu(self, x):
        erf = self.op("Erf", [self.op("Div", [x, self.f(math.sqrt(2.0))])])
        return self.op("Mul", [self.op("Mul", [x, self.f(0.5)]), self.op("Add", [erf, self.f(1.0)])])

    def heads(self, x):
        """[B, S, 512] -> [B, 8, S, 64]"""
        return self.op("Transpose", [self.op("Reshape", [x, self.ints([0, -1, HEADS, HEAD])])], perm=[0, 2, 1, 3])

    def attend(self, q, k, v, mask=None):
        """q [B, H, L, d], k and v [B, H, S, d] -> [B, L, 512]"""
        scores = self.op("MatMul", [q, self.op("Transpose", [k], perm=[0, 1, 3, 2])])
        if mask is not None:
            scores = self.op("Add", [scores, mask])
        probs = self.op("Softmax", [scores], axis=-1)
        ctx = self.op("Transpose", [self.op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        return self.op("Reshape", [ctx, self.ints([0, -1, WIDTH])])

    def query(self, x):
        return self.heads(self.op("Mul", [self.linear(x, WIDTH, WIDTH), self.f(HEAD ** -0.5)]))

    def mlp(self, x):
        return self.linear(self.gelu(self.linear(self.layer_norm(x), WIDTH, MLP)), MLP, WIDTH)


def model(g, name, inputs, outputs):
    graph = helper.make_graph(g.nodes, name, inputs, outputs, initializer=g.initializers)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="trove/scripts/make-whisper-shaped-pack.py", producer_version="1")
    m.ir_version = IR_VERSION
    onnx.checker.check_model(m)
    return m


def sinusoids(length, channels):
    """Whisper's fixed encoder positions: sin and cos at log-spaced timescales up to 10,000."""
    increment = np.log(10000) / (channels // 2 - 1)
    inv = np.exp(-increment * np.arange(channels // 2))
    t = np.arange(length)[:, None] * inv[None, :]
    return np.concatenate([np.sin(t), np.cos(t)], axis=1).astype(np.float32)


def encoder(rng, quantize):
    g = Graph(rng, quantize)
    x = g.op("Conv", ["input_features", g.const(g.normal((WIDTH, N_MELS, 3)), "conv1"), g.const(np.zeros(WIDTH, np.float32), "conv1_bias")],
             kernel_shape=[3], pads=[1, 1])
    x = g.gelu(x)
    x = g.op("Conv", [x, g.const(g.normal((WIDTH, WIDTH, 3)), "conv2"), g.const(np.zeros(WIDTH, np.float32), "conv2_bias")],
             kernel_shape=[3], pads=[1, 1], strides=[2])
    x = g.gelu(x)  # [B, 512, 1500]
    x = g.op("Add", [g.op("Transpose", [x], perm=[0, 2, 1]), g.const(sinusoids(ENC_FRAMES, WIDTH), "positions")])
    for _ in range(ENC_LAYERS):
        h = g.layer_norm(x)
        ctx = g.attend(g.query(h), g.heads(g.linear(h, WIDTH, WIDTH, bias=False)), g.heads(g.linear(h, WIDTH, WIDTH)))
        x = g.op("Add", [x, g.linear(ctx, WIDTH, WIDTH)])
        x = g.op("Add", [x, g.mlp(x)])
    g.op("Identity", [g.layer_norm(x)], out="last_hidden_state")
    return model(g, "whisper_base_shaped_encoder",
                 [helper.make_tensor_value_info("input_features", TensorProto.FLOAT, ["batch_size", N_MELS, N_FRAMES])],
                 [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch_size", ENC_FRAMES, WIDTH])])


def kv_info(name, seq):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, ["batch_size", HEADS, seq, HEAD])


def decoder(rng, quantize):
    g = Graph(rng, quantize)
    embedding = g.normal((VOCAB, WIDTH))
    embed_tokens = g.const(embedding, "embed_tokens")
    x = g.op("Gather", [embed_tokens, "input_ids"], axis=0)  # [B, L, 512]
    scalar = lambda t: g.op("Squeeze", [t, g.ints([0])])  # noqa: E731
    past_len = g.op("Slice", [g.op("Shape", ["past_key_values.0.decoder.key"]), g.ints([2]), g.ints([3])])
    seq_len = g.op("Slice", [g.op("Shape", ["input_ids"]), g.ints([1]), g.ints([2])])
    total = g.op("Add", [past_len, seq_len])
    positions = g.op("Range", [scalar(past_len), scalar(total), scalar(g.ints([1]))])
    x = g.op("Add", [x, g.op("Gather", [g.const(g.normal((MAX_TARGET, WIDTH), 0.01), "embed_positions"), positions], axis=0)])
    # Causal mask over cache + new tokens: query i (position past + i) sees keys j <= past + i. [L, past + L]
    keys = g.op("Range", [g.op("Squeeze", [g.ints([0]), g.ints([0])]), scalar(total), scalar(g.ints([1]))])
    hidden = g.op("Greater", [g.op("Unsqueeze", [keys, g.ints([0])]), g.op("Unsqueeze", [positions, g.ints([1])])])
    mask = g.op("Mul", [g.op("Cast", [hidden], to=TensorProto.FLOAT), g.f(NEG)])

    # The merged export's branch: the cross-attention cache from encoder_hidden_states (first step) or the inputs.
    then_g = Graph(rng, quantize, "then_")
    else_g = Graph(rng, quantize, "else_")
    branch_outputs = []
    for layer in range(DEC_LAYERS):
        for part in ("key", "value"):
            src = f"past_key_values.{layer}.encoder.{part}"
            then_g.op("Identity", [src], out=f"then_{layer}_{part}")
        k = else_g.heads(else_g.linear("encoder_hidden_states", WIDTH, WIDTH, bias=False))
        v = else_g.heads(else_g.linear("encoder_hidden_states", WIDTH, WIDTH))
        else_g.op("Identity", [k], out=f"else_{layer}_key")
        else_g.op("Identity", [v], out=f"else_{layer}_value")
        branch_outputs += [(layer, "key"), (layer, "value")]
    then_graph = helper.make_graph(then_g.nodes, "cache_branch", [], [kv_info(f"then_{l}_{p}", "encoder_sequence_length_out") for l, p in branch_outputs], then_g.initializers)
    else_graph = helper.make_graph(else_g.nodes, "no_cache_branch", [], [kv_info(f"else_{l}_{p}", "encoder_sequence_length_out") for l, p in branch_outputs], else_g.initializers)
    g.nodes.append(helper.make_node("If", ["use_cache_branch"], [f"present.{l}.encoder.{p}" for l, p in branch_outputs],
                                    name="optimum::if", then_branch=then_graph, else_branch=else_graph))

    for layer in range(DEC_LAYERS):
        h = g.layer_norm(x)
        k = g.op("Concat", [f"past_key_values.{layer}.decoder.key", g.heads(g.linear(h, WIDTH, WIDTH, bias=False))], axis=2, out=f"present.{layer}.decoder.key")
        v = g.op("Concat", [f"past_key_values.{layer}.decoder.value", g.heads(g.linear(h, WIDTH, WIDTH))], axis=2, out=f"present.{layer}.decoder.value")
        x = g.op("Add", [x, g.linear(g.attend(g.query(h), k, v, mask), WIDTH, WIDTH)])
        h = g.layer_norm(x)
        ctx = g.attend(g.query(h), f"present.{layer}.encoder.key", f"present.{layer}.encoder.value")
        x = g.op("Add", [x, g.linear(ctx, WIDTH, WIDTH)])
        x = g.op("Add", [x, g.mlp(x)])
    x = g.layer_norm(x)
    # The output projection is the token embedding, transposed (tied weights); int8 keeps its own quantized copy.
    if quantize:
        g.op("Identity", [g.matmul_weight(x, np.ascontiguousarray(embedding.T))], out="logits")
    else:
        g.op("MatMul", [x, g.op("Transpose", [embed_tokens], perm=[1, 0])], out="logits")

    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "decoder_sequence_length"]),
              helper.make_tensor_value_info("encoder_hidden_states", TensorProto.FLOAT, ["batch_size", "encoder_sequence_length / 2", WIDTH])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "decoder_sequence_length", VOCAB])]
    for layer in range(DEC_LAYERS):
        for kind in ("decoder", "encoder"):
            for part in ("key", "value"):
                seq = "past_decoder_sequence_length" if kind == "decoder" else "encoder_sequence_length_out"
                inputs.append(kv_info(f"past_key_values.{layer}.{kind}.{part}", seq))
                present = "past_decoder_sequence_length + 1" if kind == "decoder" else "encoder_sequence_length_out"
                outputs.append(kv_info(f"present.{layer}.{kind}.{part}", present))
    inputs.append(helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1]))
    return model(g, "whisper_base_shaped_decoder_merged", inputs, outputs)


def as_json(value):
    return (json.dumps(value, indent=2) + "\n").encode("utf-8")


def main():
    out = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    started = time.perf_counter()
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "onnx"))
    for quantize in (False, True):
        rng = np.random.default_rng(SEED)  # the same weights for both precisions
        suffix = "_quantized" if quantize else ""
        for name, build in (("encoder_model", encoder), ("decoder_model_merged", decoder)):
            t0 = time.perf_counter()
            m = build(rng, quantize)
            path = os.path.join(out, "onnx", f"{name}{suffix}.onnx")
            onnx.save_model(m, path)
            print(f"  onnx/{name}{suffix}.onnx: {os.path.getsize(path) / 1e6:.1f} MB ({time.perf_counter() - t0:.1f} s)", flush=True)
            del m
    with open(os.path.join(out, "preprocessor_config.json"), "wb") as f:
        f.write(as_json({"chunk_length": 30, "feature_extractor_type": "WhisperFeatureExtractor", "feature_size": N_MELS,
                         "hop_length": 160, "n_fft": 400, "n_samples": 480000, "nb_max_frames": N_FRAMES, "padding_value": 0.0,
                         "sampling_rate": 16000}))
    with open(os.path.join(out, "config.json"), "wb") as f:
        f.write(as_json({"_comment": "Random weights with the shape of openai/whisper-base; written by scripts/make-whisper-shaped-pack.py",
                         "model_type": "whisper", "d_model": WIDTH, "encoder_layers": ENC_LAYERS, "decoder_layers": DEC_LAYERS,
                         "encoder_attention_heads": HEADS, "decoder_attention_heads": HEADS, "encoder_ffn_dim": MLP,
                         "decoder_ffn_dim": MLP, "num_mel_bins": N_MELS, "vocab_size": VOCAB,
                         "max_source_positions": ENC_FRAMES, "max_target_positions": MAX_TARGET}))
    shown = os.path.relpath(out, ROOT) if out.startswith(ROOT + os.sep) else out
    print(f"wrote {shown} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
