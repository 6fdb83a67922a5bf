#!/usr/bin/python3
"""docpipe's native embedding engine against PyTorch on CPU, same weights, same texts, same threads.

Writes random MiniLM-L6-shaped (BERT: 6 layers, hidden 384, 12 heads, ff 1536)
and GTR-T5-base-shaped (T5: 12 layers, d_model 768, 12 heads, relu, d_ff 3072)
model folders, then for 32 and 128 tokens per text times
  - docpipe_embed_bench (the C++ engine, texts truncated to exactly N tokens), and
  - the plain-PyTorch implementation of the same architecture used by the tests
    (float32, torch.no_grad(), same batch size, torch.set_num_threads(threads)),
and prints sentences/s, the ratio, docpipe's GFLOP/s against the measured
OpenBLAS sgemm peak, PyTorch's fraction of that peak (and so the most any
engine on this BLAS could gain over it), and peak RSS.

With --precisions (e.g. "fp32 int8 bf16") it instead prints, per shape and
token count, every float32 figure twice (OpenBLAS pinned to the environment's
OPENBLAS_CORETYPE, and with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset so it
picks its AVX-512 kernel), docpipe int8 and bf16, and PyTorch's
torch.ao.quantization.quantize_dynamic(qint8, engine onednn) model, with the
ratios the issue asks for (reduced precision against the faster, unpinned
float32) and each docpipe figure as a share of its instruction's peak.

With --precisions and --rounds N it runs docpipe only, float32 (unpinned) and then each other
precision, N times over, and prints each round's ratios and their median, by wall time and by
CPU time (on a loaded machine the CPU-time ratio leaves out the time other programs held the
core, and is the steadier of the two).

Usage: compare_with_torch.py --bench BUILD/bench/embed/docpipe_embed_bench [--threads 1] [--work DIR]
                             [--precisions fp32 int8 bf16] [--rounds N]
Needs Debian's python3-torch, python3-numpy and python3-sentencepiece.
"""
import os
import sys

# PyTorch's GEMMs go to OpenBLAS, whose own thread pool torch.set_num_threads
# does not size: pin it to the same thread count before torch loads.
_threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
os.environ["OPENBLAS_NUM_THREADS"] = _threads
os.environ["OMP_NUM_THREADS"] = _threads

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "reference", os.path.join(HERE, "..", "..", "tests", "embed", "make_reference_models.py"))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)

SHAPES = {
    "minilm_l6_shaped": {"kind": "bert", "texts": 64, "cfg": {
        "model_type": "bert", "vocab_size": 30522, "hidden_size": 384, "num_hidden_layers": 6,
        "num_attention_heads": 12, "intermediate_size": 1536, "max_position_embeddings": 512,
        "type_vocab_size": 2, "layer_norm_eps": 1e-12, "hidden_act": "gelu", "position_embedding_type": "absolute"}},
    "gtr_t5_base_shaped": {"kind": "t5", "texts": 32, "cfg": {
        "model_type": "t5", "vocab_size": 32128, "d_model": 768, "d_kv": 64, "d_ff": 3072, "num_layers": 12,
        "num_heads": 12, "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128,
        "layer_norm_epsilon": 1e-6, "feed_forward_proj": "relu"}},
}


def write_model(folder, kind, cfg):
    if os.path.exists(f"{folder}/modules.json"):
        return
    rng = np.random.default_rng(0)
    os.makedirs(folder, exist_ok=True)
    ref.write_json(f"{folder}/config.json", cfg)
    if kind == "bert":
        base = ref.make_vocab()
        vocab = base + [f"[unused{i}]" for i in range(cfg["vocab_size"] - len(base))]
        with open(f"{folder}/vocab.txt", "w") as f:
            f.write("\n".join(vocab) + "\n")
        weights = ref.bert_weights(rng, cfg)
        width = cfg["hidden_size"]
    else:
        ref.train_spiece(f"{folder}/spiece.model")
        weights = ref.t5_weights(rng, cfg)
        width = cfg["d_model"]
    ref.save_safetensors(f"{folder}/model.safetensors", weights, "F32")
    ref.write_head(folder, rng, width, ["mean"], None, True, 512)


def torch_rate(folder, kind, cfg, tokens, texts, batch, threads, repeats=3, quantized=False):
    torch.set_num_threads(threads)
    weights = {k: v.float() for k, v in ref.load_safetensors(f"{folder}/model.safetensors").items()}
    rng = np.random.default_rng(1)
    ids = [list(rng.integers(5, 100, size=tokens)) for _ in range(texts)]
    forward = ref.bert_forward if kind == "bert" else ref.t5_forward
    if quantized:  # every encoder Linear through quantize_dynamic's qint8 modules
        accuracy = importlib.util.spec_from_file_location("precision_accuracy", os.path.join(HERE, "precision_accuracy.py"))
        module = importlib.util.module_from_spec(accuracy)
        accuracy.loader.exec_module(module)
        ref.F = module.LinearShim(module.quantize(weights))
    best = float("inf")
    with torch.no_grad():
        forward_batch(forward, weights, cfg, ids[:batch])  # warm-up
        for _ in range(repeats):
            start = time.perf_counter()
            for i in range(0, texts, batch):
                forward_batch(forward, weights, cfg, ids[i:i + batch])
            best = min(best, time.perf_counter() - start)
    return texts / best


def forward_batch(forward, weights, cfg, ids):
    states, mask = forward(weights, cfg, ids)
    return torch.nn.functional.normalize(ref.pool(states, mask, ["mean"]), dim=1)


def run_bench(args, folder, tokens, texts, precision, env):
    out = subprocess.run([args.bench, "--model", folder, "--tokens", str(tokens), "--texts", str(texts),
                          "--threads", str(args.threads), "--batch", str(args.batch), "--precision", precision],
                         check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def torch_in_subprocess(args, name, tokens, texts, quantized, env):
    """PyTorch's rate in a fresh process, so OpenBLAS reads `env` when it loads."""
    command = [sys.executable, os.path.abspath(__file__), "--bench", args.bench, "--threads", str(args.threads),
               "--batch", str(args.batch), "--work", args.work, "--torch-only", name, str(tokens), str(texts)]
    if quantized:
        command.append("--quantized")
    return float(subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout)


def compare_precisions(args):
    pinned = dict(os.environ)
    unpinned = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(f"threads {args.threads}, batch {args.batch}; pinned: OPENBLAS_CORETYPE="
          f"{pinned.get('OPENBLAS_CORETYPE', '(unset)')} OPENBLAS_L2_SIZE={pinned.get('OPENBLAS_L2_SIZE', '(unset)')}; "
          f"unpinned: both unset")
    for name, shape in SHAPES.items():
        if args.shapes and name not in args.shapes:
            continue
        folder = os.path.join(args.work, name)
        write_model(folder, shape["kind"], shape["cfg"])
        for tokens in args.tokens:
            texts = max(8, shape["texts"] * 32 // tokens)
            fp32_pinned = run_bench(args, folder, tokens, texts, "fp32", pinned)
            fp32 = run_bench(args, folder, tokens, texts, "fp32", unpinned)
            rows = {"docpipe fp32 pinned": fp32_pinned, "docpipe fp32": fp32}
            for precision in args.precisions:
                if precision != "fp32":
                    rows[f"docpipe {precision}"] = run_bench(args, folder, tokens, texts, precision, unpinned)
            torch_pinned = torch_in_subprocess(args, name, tokens, texts, False, pinned)
            torch_fp32 = torch_in_subprocess(args, name, tokens, texts, False, unpinned)
            torch_int8 = torch_in_subprocess(args, name, tokens, texts, True, unpinned)
            base = fp32["sentences_per_s"]
            print(f"{name} {tokens} tokens, {texts} texts:")
            for label, row in rows.items():
                print(f"  {label:20s} {row['sentences_per_s']:8.2f}/s  {row['sentences_per_s'] / base:5.2f}x fp32  "
                      f"{row['gflops']:6.1f} G(FL)OP/s = {100 * row['fraction_of_peak']:4.1f}% of {row['kernel']} "
                      f"peak {row['peak_gflops']:.0f}  weights {row['weight_mb']:.1f} MB")
            print(f"  {'torch fp32 pinned':20s} {torch_pinned:8.2f}/s  docpipe/torch pinned "
                  f"{fp32_pinned['sentences_per_s'] / torch_pinned:5.2f}x")
            print(f"  {'torch fp32':20s} {torch_fp32:8.2f}/s  docpipe/torch {base / torch_fp32:5.2f}x")
            line = f"  {'torch quantize_dyn':20s} {torch_int8:8.2f}/s"
            if "docpipe int8" in rows:
                line += f"  docpipe int8/torch int8 {rows['docpipe int8']['sentences_per_s'] / torch_int8:5.2f}x"
            print(line, flush=True)
    print(f"torch {torch.__version__}")


def alternate_precisions(args):
    """docpipe alone at each precision, float32 (unpinned) first, the sequence repeated
    --rounds times, with each round's ratios: on a shared machine, runs next to each other
    see nearly the same load, so the per-round ratios are steadier than one figure each."""
    unpinned = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    precisions = ["fp32"] + [p for p in args.precisions if p != "fp32"]
    for name, shape in SHAPES.items():
        if args.shapes and name not in args.shapes:
            continue
        folder = os.path.join(args.work, name)
        write_model(folder, shape["kind"], shape["cfg"])
        for tokens in args.tokens:
            texts = max(8, shape["texts"] * 32 // tokens)
            ratios = {p: [] for p in precisions[1:]}
            cpu_ratios = {p: [] for p in precisions[1:]}
            for round_ in range(args.rounds):
                runs = {p: run_bench(args, folder, tokens, texts, p, unpinned) for p in precisions}
                for p in ratios:
                    ratios[p].append(runs[p]["sentences_per_s"] / runs["fp32"]["sentences_per_s"])
                    cpu_ratios[p].append(runs[p]["sentences_per_cpu_s"] / runs["fp32"]["sentences_per_cpu_s"])
                print(f"{name} {tokens} tokens, round {round_ + 1}: " +
                      "  ".join(f"{p} {runs[p]['sentences_per_s']:.2f}/s ({runs[p]['sentences_per_cpu_s']:.2f}/CPU s)"
                                for p in precisions), flush=True)
            for p in ratios:
                for label, values in (("wall", ratios[p]), ("CPU time", cpu_ratios[p])):
                    print(f"{name} {tokens} tokens: {p}/fp32 by {label} per round " +
                          " ".join(f"{r:.2f}" for r in values) + f"; median {float(np.median(values)):.2f}x",
                          flush=True)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True, help="path of the docpipe_embed_bench executable")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--work", default=os.path.join(os.path.dirname(os.path.abspath(parser.parse_known_args()[0].bench)), "models"))
    parser.add_argument("--precisions", nargs="*", help="compare these precisions (fp32 int8 bf16)")
    parser.add_argument("--shapes", nargs="*", help=f"only these of {', '.join(SHAPES)}")
    parser.add_argument("--tokens", nargs="*", type=int, default=[32, 128], help="tokens per text")
    parser.add_argument("--rounds", type=int, help="with --precisions: docpipe only, alternated this many times")
    parser.add_argument("--torch-only", nargs=3, metavar=("SHAPE", "TOKENS", "TEXTS"), help=argparse.SUPPRESS)
    parser.add_argument("--quantized", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_only:
        name, tokens, texts = args.torch_only[0], int(args.torch_only[1]), int(args.torch_only[2])
        shape = SHAPES[name]
        print(torch_rate(os.path.join(args.work, name), shape["kind"], shape["cfg"], tokens, texts,
                         min(args.batch, texts), args.threads, quantized=args.quantized))
        return 0
    if args.precisions and args.rounds:
        return alternate_precisions(args)
    if args.precisions:
        return compare_precisions(args)
    rows = []
    for name, shape in SHAPES.items():
        folder = os.path.join(args.work, name)
        write_model(folder, shape["kind"], shape["cfg"])
        for tokens in (32, 128):
            texts = shape["texts"]
            out = subprocess.run([args.bench, "--model", folder, "--tokens", str(tokens), "--texts", str(texts),
                                  "--threads", str(args.threads), "--batch", str(args.batch)],
                                 check=True, capture_output=True, text=True).stdout
            native = json.loads(out)
            torch_sps = torch_rate(folder, shape["kind"], shape["cfg"], tokens, texts, args.batch, args.threads)
            rows.append((name, tokens, native, torch_sps))
            # Both sides do the same FLOPs per text, so PyTorch's GFLOP/s follow
            # from the rates; at the sgemm peak an engine could be at most
            # 1 / (PyTorch's fraction of it) times faster on this BLAS.
            torch_fraction = native['fraction_of_peak'] * torch_sps / native['sentences_per_s']
            print(f"{name:20s} {tokens:4d} tok  docpipe {native['sentences_per_s']:8.1f}/s  "
                  f"torch {torch_sps:8.1f}/s  ratio {native['sentences_per_s'] / torch_sps:5.2f}x  "
                  f"{native['gflops']:6.1f} GFLOP/s = {100 * native['fraction_of_peak']:4.1f}% of sgemm peak "
                  f"{native['peak_gflops']:.1f} (torch {100 * torch_fraction:4.1f}%, ceiling "
                  f"{1 / torch_fraction:4.2f}x)  peak RSS {native['peak_rss_mb']:.0f} MB "
                  f"(weights file {native['mapped_mb']:.0f} MB)", flush=True)
    print(f"threads {args.threads}, batch {args.batch}; torch {torch.__version__}, "
          f"python peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
