#!/usr/bin/python3
"""Where docpipe's int8 mode loses accuracy, tensor group by tensor group, on a BERT-family model.

Runs the plain-PyTorch reference model (tests/embed/make_reference_models.py) with docpipe's
int8 arithmetic simulated on chosen linear layers, and prints for each variant the mean and
minimum cosine of its vectors to the float32 ones and recall@10 of the float32 neighbours
(precision_accuracy.py's measures). The simulation is docpipe's: weights rounded per output
channel to [-127, 127] · max/127; each activation row to [0, 255] over [min(x, 0), max(x, 0)]
with a zero point; bf16 rounds both operands to bf16 with float32 sums; the token table int8
per row. With the default texts and shape it reproduces `docpipe embed --precision int8`'s
mean cosine.

Variants: "docpipe" (int8 as docpipe runs it: LinearPrecision in src/embed/packed_linear.cc),
"uniform" (every layer int8 from the first block, token table int8), "<group>" (only that
group of every block int8, the rest float32: query, key, value, attention_output,
feed_forward_in, feed_forward_out, token_table), "block<N>" (only block N int8),
"weights" and "activations" (every layer with only its weights, or only its activations,
rounded), "docpipe_ffn_groups<N>" (docpipe, with the feed-forward's int8 weights scaled per
group of N inputs of a channel), "docpipe_groups<N>" (every int8 weight so),
"docpipe_smooth<alpha>" (docpipe with SmoothQuant's per-input-channel smoothing on every int8
layer, s_j = max|x_j|^alpha / max|W_:j|^(1 - alpha), the activation ranges taken from the float32
pass over the measured texts themselves: the best calibration there can be) and
"docpipe_bf16_attention" (docpipe with q·kᵀ and p·v on bf16 operands).

Usage: int8_error_sources.py [--corpus /usr/share/doc] [--texts 2000] [--variants docpipe value ...]
                             [--work DIR]
Needs Debian's python3-torch, python3-numpy.
"""
import argparse
import importlib.util
import os
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("precision_accuracy", os.path.join(HERE, "precision_accuracy.py"))
pa = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pa)
ref = pa.ref

GROUPS = {"query": "attention.self.query.", "key": "attention.self.key.", "value": "attention.self.value.",
          "attention_output": "attention.output.dense.", "feed_forward_in": "intermediate.dense.",
          "feed_forward_out": ".output.dense."}


def bf16(t):
    return t.to(torch.bfloat16).to(torch.float32)


def int8_weights(w, group=0):
    """Per output channel, or with `group` per run of that many inputs of a channel."""
    if group:
        return int8_weights(w.reshape(-1, group)).reshape(w.shape)
    scale = w.abs().amax(1, keepdim=True) / 127.0
    scale[scale == 0] = 1
    return torch.clamp(torch.round(w / scale), -127, 127) * scale


def u8_rows(x):
    low = torch.clamp(x.amin(-1, keepdim=True), max=0)
    high = torch.clamp(x.amax(-1, keepdim=True), min=0)
    step = torch.where(high > low, (high - low) / 255, torch.ones_like(high))
    zero = torch.clamp(torch.round(-low / step), 0, 255)
    return (torch.clamp(torch.round(x / step) + zero, 0, 255) - zero) * step


class Simulated:
    """Stands in for torch.nn.functional in the reference module: linear() on a chosen weight
    rounds its operands as `mode` says; everything else is torch's own. With `smoothing`
    (id(weight) -> per-input-channel factors s) an int8 layer runs SmoothQuant's x / s against
    W · s; with `ranges` set, every linear() records its inputs' largest |x| per channel there."""

    def __init__(self, modes, group=0, smoothing=None, ranges=None):
        self.modes, self.rounded, self.group = modes, {}, group
        self.smoothing, self.ranges = smoothing or {}, ranges

    def linear(self, x, weight, bias=None):
        if self.ranges is not None:
            high = x.reshape(-1, x.shape[-1]).abs().amax(0)
            self.ranges[id(weight)] = torch.maximum(self.ranges.get(id(weight), high), high)
        mode = self.modes.get(id(weight))
        if mode is None:
            return torch.nn.functional.linear(x, weight, bias)
        smooth = self.smoothing.get(id(weight)) if mode == "int8" else None
        if id(weight) not in self.rounded:
            self.rounded[id(weight)] = weight if mode == "activations" else \
                bf16(weight) if mode == "bf16" else \
                int8_weights(weight * smooth if smooth is not None else weight, self.group if mode == "int8g" else 0)
        if smooth is not None:
            x = x / smooth
        x = bf16(x) if mode == "bf16" else x if mode == "weights" else u8_rows(x)
        return torch.nn.functional.linear(x, self.rounded[id(weight)], bias)

    def __getattr__(self, name):
        return getattr(torch.nn.functional, name)


def group_of(name):
    for group, part in GROUPS.items():
        if part in name and not (group == "feed_forward_out" and "attention" in name):
            return group
    return None


def docpipe_mode(name):
    """int8 as LinearPrecision picks it on a CPU with AVX-512 BF16."""
    if ".layer.0." in name or group_of(name) in ("value", "attention_output"):
        return "bf16"
    return "int8"


def variant_modes(variant, names):
    if variant == "docpipe":
        return {n: docpipe_mode(n) for n in names}, True
    if variant.startswith("docpipe_ffn_groups"):  # the feed-forward's int8 weights scaled per group of inputs
        return {n: "int8g" if docpipe_mode(n) == "int8" and group_of(n) and group_of(n).startswith("feed")
                else docpipe_mode(n) for n in names}, True
    if variant.startswith("docpipe_smooth") or variant == "docpipe_bf16_attention":
        return {n: docpipe_mode(n) for n in names}, True
    if variant.startswith("docpipe_groups"):  # every int8 weight scaled per group of inputs
        return {n: "int8g" if docpipe_mode(n) == "int8" else docpipe_mode(n) for n in names}, True
    if variant in ("uniform", "weights", "activations"):
        return {n: "int8" if variant == "uniform" else variant for n in names}, variant == "uniform"
    if variant == "token_table":
        return {}, True
    if variant.startswith("block"):
        return {n: "int8" for n in names if f".layer.{variant[5:]}." in n}, False
    if variant in GROUPS:
        return {n: "int8" for n in names if group_of(n) == variant}, False
    sys.exit(f"unknown variant {variant}")


def bf16_attention(x, w, prefix, names, heads, head_dim, scale, bias_add):
    """The reference module's attention with q·kᵀ and p·v on bf16 operands (float32 sums)."""
    b, t, _ = x.shape

    def proj(name):
        weight, bias = w[prefix + names[name] + ".weight"], w.get(prefix + names[name] + ".bias")
        return ref.F.linear(x, weight, bias).view(b, t, heads, head_dim).transpose(1, 2)
    q, k, v = proj("q"), proj("k"), proj("v")
    probs = torch.softmax(bf16(q * scale) @ bf16(k).transpose(-1, -2) + bias_add, dim=-1)
    return (bf16(probs) @ bf16(v)).transpose(1, 2).reshape(b, t, heads * head_dim)


def smoothing_factors(weights, names, modes, ranges, alpha):
    """SmoothQuant's s_j = max|x_j|^alpha / max|W_:j|^(1 - alpha) for each int8 layer, from the
    input ranges the float32 pass recorded."""
    out = {}
    for n in names:
        if modes.get(n) == "int8":
            high_x = ranges[id(weights[n])].clamp(min=1e-5)
            high_w = weights[n].abs().amax(0).clamp(min=1e-5)
            out[id(weights[n])] = high_x ** alpha / high_w ** (1 - alpha)
    return out


def vectors(folder, texts, weights, modes, group=0, smoothing=None, ranges=None, attention=None):
    cfg = pa.read_json(f"{folder}/config.json")
    pooling, dense, dense_weights, normalize = pa.head_config(folder)
    encode = pa.tokenizer(folder, cfg)
    ids = [encode(t) for t in texts]
    order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
    ref.F = Simulated({id(weights[n]): mode for n, mode in modes.items()}, group, smoothing, ranges)
    reference_attention = ref.attention
    ref.attention = attention or reference_attention
    out = None
    with torch.no_grad():
        for i in range(0, len(texts), 64):
            batch = order[i:i + 64]
            states, mask = ref.bert_forward(weights, cfg, [ids[j] for j in batch])
            v = pa.ref.apply_head(ref.pool(states, mask, pooling), dense, dense_weights, normalize).numpy()
            out = np.zeros((len(texts), v.shape[1])) if out is None else out
            out[batch] = v
    ref.F = torch.nn.functional
    ref.attention = reference_attention
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default="/usr/share/doc", help="sentences from the HTML files under this folder")
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--shape", default="minilm_l6_shaped")
    parser.add_argument("--variants", nargs="*", default=["docpipe", "weights", "activations", "query", "key", "value",
                                                           "attention_output", "feed_forward_in", "feed_forward_out",
                                                           "token_table"])
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "docpipe_embed_bench"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    # The texts precision_accuracy.py --corpus takes (its model is named after all 10,000 of
    # them), the first --texts of them measured.
    corpus = pa.corpus_texts(args.corpus, 10000)
    folder = pa.shaped_model(args.work, args.shape, corpus)
    texts = corpus[:args.texts]
    weights = {k: v.float() for k, v in ref.load_safetensors(f"{folder}/model.safetensors").items()}
    names = [k for k, w in weights.items() if w.dim() == 2 and k.startswith("encoder.")]
    ranges = {}
    reference = vectors(folder, texts, weights, {}, ranges=ranges)
    table = "embeddings.word_embeddings.weight"
    print(f"{os.path.basename(folder)}: {len(texts)} texts; against float32:", flush=True)
    for variant in args.variants:
        modes, int8_table = variant_modes(variant, names)
        w = dict(weights)
        if int8_table:
            w[table] = int8_weights(weights[table])
        group = int(variant.rsplit("groups", 1)[1]) if "groups" in variant else 0
        smoothing = smoothing_factors(weights, names, modes, ranges, float(variant[len("docpipe_smooth"):])) \
            if variant.startswith("docpipe_smooth") else None
        attention = bf16_attention if variant == "docpipe_bf16_attention" else None
        v = vectors(folder, texts, w, {n: modes[n] for n in modes}, group, smoothing, None, attention)
        cos = np.sum(pa.unit(reference) * pa.unit(v), axis=1)
        print(f"  {variant:18s} 1-cosine mean {1 - cos.mean():.3e}  min cosine {cos.min():.5f}  "
              f"recall@10 {pa.recall_at_10(reference, v):.4f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
