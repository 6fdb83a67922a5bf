#!/usr/bin/python3
"""Accuracy of docpipe's int8 and bf16 encoders next to PyTorch's dynamic quantisation.

For each model folder and the same texts (random words, 1 to 60 per text):
  - docpipe: `docpipe embed --precision fp32|int8|bf16 --json`;
  - PyTorch: the plain-torch reference implementation (tests/embed/make_reference_models.py)
    in float32, and the same with every encoder Linear replaced by
    torch.ao.quantization.quantize_dynamic(qint8) on the onednn engine (the head stays
    float32, as docpipe's does);
and prints per-text cosine to the same side's float32 vectors (min, 1st percentile, mean)
and recall@10 of float32 neighbours over the whole collection: for each text, how many of
its 10 nearest float32 neighbours (cosine, itself excluded) are among the 10 nearest of the
reduced-precision vectors.

Texts are random words from the reference vocabulary by default, or with --corpus DIR
sentences of 3 to 60 words from the HTML files under DIR (e.g. /usr/share/doc, Debian's
-doc packages), distinct, in an order fixed by their hash. --shapes also writes and measures
the random MiniLM-L6- and GTR-T5-base-shaped models of compare_with_torch.py (384 and 768
dimensions; the reference models have 32, too few for 10,000 texts to have distinct
neighbours).

Usage: precision_accuracy.py --docpipe BUILD/bin/docpipe --models DIR [DIR...] [--texts 1200]
                             [--corpus /usr/share/doc] [--shapes minilm_l6_shaped ...] [--work DIR]
Needs Debian's python3-torch, python3-numpy and python3-sentencepiece.
"""
import argparse
import glob
import hashlib
import html
import importlib.util
import json
import os
import re
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
shapes_spec = importlib.util.spec_from_file_location("compare_with_torch", os.path.join(HERE, "compare_with_torch.py"))
shapes = importlib.util.module_from_spec(shapes_spec)
shapes_spec.loader.exec_module(shapes)

WORDS = ("the quick brown fox jumps over lazy dog hello world number text long enough sequence length cafe "
         "naive resume rock accents everywhere are here symbols maximum truncated unaffable jazz 12345 ! ?").split()


def make_texts(count, seed=99):
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=int(rng.integers(1, 61)))) for _ in range(count)]


def corpus_texts(root, count):
    """Distinct sentences of 3 to 60 words from the HTML files under root."""
    found = set()
    for path in sorted(p for p in glob.glob(f"{root}/**/*.html", recursive=True) if os.path.isfile(p)):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", f.read())
        text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))
        for sentence in re.split(r"(?<=[.!?]) ", text):
            if 3 <= len(sentence.split()) <= 60:
                found.add(sentence.strip())
    if len(found) < count:
        sys.exit(f"{root}: {len(found)} sentences, fewer than --texts {count}")
    return sorted(found, key=lambda t: hashlib.sha1(t.encode()).digest())[:count]


def shaped_model(work, name, corpus):
    """A compare_with_torch.py model folder. With corpus texts, a BERT shape gets the corpus's
    most frequent words as whole tokens in its spare vocabulary slots (the generated vocabulary
    has letters and a few words, so English would run about one token per letter; this keeps
    texts at about one token a word, as a real WordPiece vocabulary would)."""
    shape = shapes.SHAPES[name]
    if corpus is None or shape["kind"] != "bert":
        folder = os.path.join(work, name)
        shapes.write_model(folder, shape["kind"], shape["cfg"])
        return folder
    digest = hashlib.sha1("\n".join(corpus).encode()).hexdigest()[:12]
    folder = os.path.join(work, f"{name}_words_scaled_{digest}")
    done = f"{folder}/.scaled_with_corpus_words"
    if os.path.exists(done):  # an earlier run finished it; rewriting it would race runs reading it
        return folder
    shapes.write_model(folder, shape["kind"], shape["cfg"])
    # The generated weights have a standard deviation of 0.2-0.3 whatever the width: at 384
    # inputs that is 6x a trained model's (about 1/sqrt(fan-in)), attention turns arg-max
    # hard, and a bf16 rounding moves a vector to cosine 0.93. Scaled like a trained model's:
    weights = ref.load_safetensors(f"{folder}/model.safetensors")
    for key, w in weights.items():
        if w.dim() == 2 and key.startswith("encoder.") and w.shape[1] > 1:
            weights[key] = w / w.std() / w.shape[1] ** 0.5
    ref.save_safetensors(f"{folder}/model.safetensors", {k: v.numpy() for k, v in weights.items()}, "F32")
    base = ref.make_vocab()
    counts = {}
    for text in corpus:
        for word in re.findall(r"[a-z]+", text.lower()):
            counts[word] = counts.get(word, 0) + 1
    known = set(base)
    words = [w for w, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0])) if w not in known]
    vocab = (base + words)[:shape["cfg"]["vocab_size"]]
    vocab += [f"[unused{i}]" for i in range(shape["cfg"]["vocab_size"] - len(vocab))]
    with open(f"{folder}/vocab.txt", "w") as f:
        f.write("\n".join(vocab) + "\n")
    open(done, "w").close()
    return folder


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
    all_ids = [encode(t) for t in texts]
    order = sorted(range(len(texts)), key=lambda i: len(all_ids[i]))  # batches of like length pad little
    out = np.zeros((len(texts), 0))
    with torch.no_grad():
        for i in range(0, len(texts), 64):
            batch = order[i:i + 64]
            states, mask = forward(weights, cfg, [all_ids[j] for j in batch])
            vectors = ref.apply_head(ref.pool(states, mask, modes), dense, dense_weights, normalize).numpy()
            if out.shape[1] == 0:
                out = np.zeros((len(texts), vectors.shape[1]))
            out[batch] = vectors
    ref.F = torch.nn.functional
    return out


def docpipe_vectors(binary, folder, text_file, precision):
    out = subprocess.run([binary, "embed", "--model", folder, "--precision", precision, "--input", text_file,
                          "--json", "--threads", "1"], check=True, capture_output=True, text=True).stdout
    return np.array(json.loads(out)["vectors"], dtype=np.float64)


def unit(v):
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def recall_at_10(reference, reduced, rows=1000):
    """Mean share of each text's 10 float32 neighbours found among its 10 reduced ones."""
    want_units, got_units = unit(reference).astype(np.float32), unit(reduced).astype(np.float32)
    found = 0
    for start in range(0, len(want_units), rows):  # row blocks keep 10,000² similarities out of memory
        def neighbours(units):
            sims = units[start:start + rows] @ units.T
            sims[np.arange(len(sims)), np.arange(start, start + len(sims))] = -np.inf
            return np.argpartition(-sims, 10, axis=1)[:, :10]
        found += sum(len(set(a) & set(b)) for a, b in zip(neighbours(want_units), neighbours(got_units)))
    return found / (10 * len(want_units))


def describe(reference, reduced):
    """Cosine and recall figures, and whether they meet the issue's gates (int8 >= 0.995,
    bf16 >= 0.999 per text; recall@10 >= 0.97, which the issue sets over 10,000 texts)."""
    cos = np.sum(unit(reference) * unit(reduced), axis=1)
    recall = recall_at_10(reference, reduced)
    return (f"cosine min {cos.min():.5f} p1 {np.percentile(cos, 1):.5f} mean {cos.mean():.6f}  "
            f"recall@10 {recall:.4f} ({'meets' if recall >= 0.97 else 'below'} 0.97)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docpipe", required=True, help="path of the docpipe executable")
    parser.add_argument("--models", nargs="*", default=[], help="model folders")
    parser.add_argument("--texts", type=int, default=1200)
    parser.add_argument("--corpus", help="take sentences from the HTML files under this folder")
    parser.add_argument("--shapes", nargs="*", default=[], help="also these models of compare_with_torch.py")
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "docpipe_embed_bench"),
                        help="where --shapes models are written")
    parser.add_argument("--no-bf16", action="store_true", help="skip bf16 (a CPU without AVX-512 BF16)")
    parser.add_argument("--no-torch", action="store_true", help="docpipe's figures only")
    args = parser.parse_args()
    torch.set_num_threads(1)
    texts = corpus_texts(args.corpus, args.texts) if args.corpus else make_texts(args.texts)
    for name in args.shapes:
        args.models.append(shaped_model(args.work, name, texts if args.corpus else None))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(texts) + "\n")
        text_file = f.name
    try:
        for folder in args.models:
            name = os.path.basename(folder.rstrip("/"))
            ours = docpipe_vectors(args.docpipe, folder, text_file, "fp32")
            print(f"{name}: {len(texts)} texts", end="" if not args.no_torch else "\n")
            if not args.no_torch:
                theirs = torch_vectors(folder, texts, quantized=False)
                print(f"; docpipe fp32 vs torch fp32: {describe(theirs, ours)}")
            print(f"  docpipe int8            {describe(ours, docpipe_vectors(args.docpipe, folder, text_file, 'int8'))}")
            if not args.no_bf16:
                print(f"  docpipe bf16            {describe(ours, docpipe_vectors(args.docpipe, folder, text_file, 'bf16'))}")
            if not args.no_torch:
                print(f"  torch quantize_dynamic  {describe(theirs, torch_vectors(folder, texts, quantized=True))}",
                      flush=True)
    finally:
        os.unlink(text_file)
    print(f"torch {torch.__version__}, quantized engine onednn, qint8 weights per tensor (quantize_dynamic's default)")


if __name__ == "__main__":
    sys.exit(main())
