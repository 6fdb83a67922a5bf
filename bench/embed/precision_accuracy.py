#!/usr/bin/python3
"""Accuracy of docpipe's int8 and bf16 encoders next to PyTorch's dynamic quantisation.

For each model folder and the same texts (random words, 1 to 60 per text):
  - docpipe: `docpipe embed --precision fp32|int8|bf16 --json`;
  - PyTorch: the plain-torch reference implementation (tests/embed/make_reference_models.py)
    in float32, and the same with every encoder Linear replaced by
    torch.ao.quantization.quantize_dynamic(qint8) on the onednn engine (the head stays
    float32, as docpipe's does);
and prints per-text cosine to the same side's float32 vectors (min, 1st percentile, mean)
and recall@10 of float32 neighbours over the whole collection.

Usage: precision_accuracy.py --docpipe BUILD/bin/docpipe --models DIR [DIR...] [--texts 1200]
Needs Debian's python3-torch, python3-numpy and python3-sentencepiece.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import sentencepiece as spm
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "reference", os.path.join(HERE, "..", "..", "tests", "embed", "make_reference_models.py"))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)

WORDS = ("the quick brown fox jumps over lazy dog hello world number text long enough sequence length cafe "
         "naive resume rock accents everywhere are here symbols maximum truncated unaffable jazz 12345 ! ?").split()


def make_texts(count, seed=99):
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=int(rng.integers(1, 61)))) for _ in range(count)]


def read_json(path):
    with open(path) as f:
        return json.load(f)


def head_config(folder):
    modules = read_json(f"{folder}/modules.json")
    pooling = read_json(f"{folder}/1_Pooling/config.json")
    modes = [m for m, key in (("cls", "pooling_mode_cls_token"), ("max", "pooling_mode_max_tokens"),
                              ("mean", "pooling_mode_mean_tokens"),
                              ("mean_sqrt_len_tokens", "pooling_mode_mean_sqrt_len_tokens")) if pooling.get(key)]
    dense, dense_weights = None, None
    if os.path.exists(f"{folder}/2_Dense/config.json"):
        cfg = read_json(f"{folder}/2_Dense/config.json")
        dense = (cfg["out_features"], cfg.get("bias", True), cfg.get("activation_function", ""))
        dense_weights = {k: v.float() for k, v in ref.load_safetensors(f"{folder}/2_Dense/model.safetensors").items()}
    normalize = any(m["type"].endswith("Normalize") for m in modules)
    return modes, dense, dense_weights, normalize


def tokenizer(folder, cfg):
    limit = read_json(f"{folder}/sentence_bert_config.json")["max_seq_length"]
    if cfg["model_type"] == "t5":
        sp = spm.SentencePieceProcessor(model_file=f"{folder}/spiece.model")
        return lambda text: sp.encode(text)[:limit - 1] + [sp.eos_id()]
    if os.path.exists(f"{folder}/vocab.txt"):
        with open(f"{folder}/vocab.txt") as f:
            vocab = {tok.rstrip("\n"): i for i, tok in enumerate(f)}
        config = f"{folder}/tokenizer_config.json"
        lower = read_json(config).get("do_lower_case", True) if os.path.exists(config) else True
    else:
        tok = read_json(f"{folder}/tokenizer.json")
        vocab, lower = tok["model"]["vocab"], tok["normalizer"].get("lowercase", True)
    return lambda text: ref.wordpiece_ids(text, vocab, lower, limit)


class LinearShim:
    """Stands in for torch.nn.functional inside the reference module: linear() with an
    encoder weight runs that weight's quantised module; everything else is torch's own."""

    def __init__(self, quantized):
        self.quantized = quantized

    def linear(self, x, weight, bias=None):
        module = self.quantized.get(id(weight))
        if module is None:
            return torch.nn.functional.linear(x, weight, bias)
        return module(x)

    def __getattr__(self, name):
        return getattr(torch.nn.functional, name)


def quantize(weights):
    torch.backends.quantized.engine = "onednn"
    modules, by_id = torch.nn.ModuleDict(), {}
    for i, (name, w) in enumerate(weights.items()):
        if w.dim() != 2 or "embeddings" in name or name.endswith("shared.weight") or "relative_attention" in name:
            continue
        bias = weights.get(name[:-len("weight")] + "bias")
        linear = torch.nn.Linear(w.shape[1], w.shape[0], bias=bias is not None)
        linear.weight.data.copy_(w)
        if bias is not None:
            linear.bias.data.copy_(bias)
        modules[str(i)] = linear
        by_id[id(w)] = str(i)
    quantized = torch.ao.quantization.quantize_dynamic(modules, {torch.nn.Linear}, dtype=torch.qint8)
    return {key: quantized[name] for key, name in by_id.items()}


def torch_vectors(folder, texts, quantized):
    cfg = read_json(f"{folder}/config.json")
    weights = {k: v.float() for k, v in ref.load_safetensors(f"{folder}/model.safetensors").items()}
    modes, dense, dense_weights, normalize = head_config(folder)
    encode = tokenizer(folder, cfg)
    ref.F = LinearShim(quantize(weights) if quantized else {})
    forward = ref.t5_forward if cfg["model_type"] == "t5" else ref.bert_forward
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), 64):
            ids = [encode(t) for t in texts[i:i + 64]]
            states, mask = forward(weights, cfg, ids)
            out.append(ref.apply_head(ref.pool(states, mask, modes), dense, dense_weights, normalize).numpy())
    ref.F = torch.nn.functional
    return np.concatenate(out).astype(np.float64)


def docpipe_vectors(binary, folder, text_file, precision):
    out = subprocess.run([binary, "embed", "--model", folder, "--precision", precision, "--input", text_file,
                          "--json", "--threads", "1"], check=True, capture_output=True, text=True).stdout
    return np.array(json.loads(out)["vectors"], dtype=np.float64)


def unit(v):
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def recall_at_10(reference, reduced):
    def neighbours(v):
        u = unit(v)
        sims = u @ u.T
        np.fill_diagonal(sims, -np.inf)
        return np.argpartition(-sims, 10, axis=1)[:, :10]
    want, got = neighbours(reference), neighbours(reduced)
    return np.mean([len(set(a) & set(b)) / 10 for a, b in zip(want, got)])


def describe(reference, reduced):
    cos = np.sum(unit(reference) * unit(reduced), axis=1)
    return (f"cosine min {cos.min():.5f} p1 {np.percentile(cos, 1):.5f} mean {cos.mean():.6f}  "
            f"recall@10 {recall_at_10(reference, reduced):.4f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docpipe", required=True, help="path of the docpipe executable")
    parser.add_argument("--models", nargs="+", required=True, help="model folders")
    parser.add_argument("--texts", type=int, default=1200)
    parser.add_argument("--no-bf16", action="store_true", help="skip bf16 (a CPU without AVX-512 BF16)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    texts = make_texts(args.texts)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(texts) + "\n")
        text_file = f.name
    try:
        for folder in args.models:
            name = os.path.basename(folder.rstrip("/"))
            ours = docpipe_vectors(args.docpipe, folder, text_file, "fp32")
            theirs = torch_vectors(folder, texts, quantized=False)
            print(f"{name}: {len(texts)} texts; docpipe fp32 vs torch fp32: {describe(theirs, ours)}")
            print(f"  docpipe int8            {describe(ours, docpipe_vectors(args.docpipe, folder, text_file, 'int8'))}")
            if not args.no_bf16:
                print(f"  docpipe bf16            {describe(ours, docpipe_vectors(args.docpipe, folder, text_file, 'bf16'))}")
            print(f"  torch quantize_dynamic  {describe(theirs, torch_vectors(folder, texts, quantized=True))}",
                  flush=True)
    finally:
        os.unlink(text_file)
    print(f"torch {torch.__version__}, quantized engine onednn, qint8 weights per tensor (quantize_dynamic's default)")


if __name__ == "__main__":
    sys.exit(main())
