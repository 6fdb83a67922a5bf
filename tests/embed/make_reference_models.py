#!/usr/bin/python3
"""Writes tiny random sentence-transformers model folders and reference embeddings.

Each model is written in the layout users download from the Hugging Face hub
(config.json, model.safetensors, tokenizer files, modules.json, 1_Pooling,
2_Dense, Normalize, sentence_bert_config.json). The safetensors files are
written by hand (8-byte header length, JSON header, raw little-endian data) and
read back with numpy, and an independent PyTorch implementation of BERT and the
T5 encoder, written here in plain torch with padded batches and attention masks
as Hugging Face runs them, computes the reference embeddings. The WordPiece
reference tokenizer is a Python port of Hugging Face's BertTokenizer; T5 ids
come from python3-sentencepiece on a model trained here.

Usage: make_reference_models.py --out DIR   (writes DIR/<model>/ and DIR/reference.json)
"""
import argparse
import io
import json
import math
import os
import struct
import unicodedata

import numpy as np
import sentencepiece as spm
import torch
import torch.nn.functional as F

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "",
    "Héllo, wörld! Café naïve résumé.",
    "unaffable 東京タワー 北京 rock'n'roll",
    "x",
    "Numbers 12345 and symbols $%^&*() are here",
    "a" * 120 + " over-long word",
    "tab\there\u0000null\u200bzero width\u00a0nbsp",
    " ".join(["this text is long enough to be truncated by max seq length"] * 4),
    "THE LAZY DOG, the lazy dog; The Lazy Dog?",
    "jazz unaffable quick",
    "Ünïcödé accents everywhere: àéîõü ÀÉÎÕÜ",
]

# ---------------------------------------------------------------- safetensors


def to_bf16_bits(values):
    bits = np.ascontiguousarray(values, dtype="<f4").view("<u4").astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16  # round to nearest even
    return rounded.astype("<u2")


def save_safetensors(path, tensors, dtype, pad_header=True, overrides=None):
    """tensors: name -> float32 array; dtype for all but names in overrides."""
    overrides = overrides or {}
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        kind = overrides.get(name, dtype)
        if kind == "F32":
            raw = np.ascontiguousarray(array, dtype="<f4").tobytes()
        elif kind == "F16":
            raw = np.ascontiguousarray(array, dtype="<f2").tobytes()
        elif kind == "BF16":
            raw = to_bf16_bits(array).tobytes()
        else:
            raise ValueError(kind)
        header[name] = {"dtype": kind, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    encoded = json.dumps(header).encode()
    if pad_header:
        encoded += b" " * (-len(encoded) % 8)
    else:  # an odd header length misaligns the data section on purpose
        encoded += b" " * ((1 - len(encoded)) % 2)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = body[begin:end]
        if info["dtype"] == "F32":
            values = np.frombuffer(raw, dtype="<f4")
        elif info["dtype"] == "F16":
            values = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif info["dtype"] == "BF16":
            values = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(info["dtype"])
        out[name] = torch.tensor(values.reshape(info["shape"]), dtype=torch.float64)
    return out


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(value, f, indent=1)


# ---------------------------------------------------------------- WordPiece (Hugging Face's BertTokenizer)


def is_whitespace(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def is_control(c):
    return c not in "\t\n\r" and unicodedata.category(c).startswith("C")


def is_punctuation(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or
            0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or
            0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic_tokens(text, lower):
    text = unicodedata.normalize("NFC", text)
    cleaned = []
    for c in text:
        if ord(c) == 0 or ord(c) == 0xFFFD or is_control(c):
            continue
        if is_whitespace(c):
            cleaned.append(" ")
        elif is_cjk(ord(c)):
            cleaned.append(" " + c + " ")
        else:
            cleaned.append(c)
    out = []
    for word in "".join(cleaned).split():
        if lower:
            word = word.lower()
            word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        current = ""
        for c in word:
            if is_punctuation(c):
                if current:
                    out.append(current)
                out.append(c)
                current = ""
            else:
                current += c
        if current:
            out.append(current)
    return out


def wordpiece_ids(text, vocab, lower, max_len):
    ids = [vocab["[CLS]"]]
    for word in basic_tokens(text, lower):
        if len(word) > 100:
            ids.append(vocab["[UNK]"])
            continue
        pieces, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                candidate = ("##" if start > 0 else "") + word[start:end]
                if candidate in vocab:
                    found = vocab[candidate]
                    break
                end -= 1
            if found is None:
                pieces = [vocab["[UNK]"]]
                break
            pieces.append(found)
            start = end
        ids.extend(pieces)
    return ids[:max_len - 1] + [vocab["[SEP]"]]


def make_vocab():
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    words = ["the", "quick", "brown", "fox", "jump", "over", "lazy", "dog", "un", "##aff", "##able",
             "hello", "world", "cafe", "naive", "resume", "rock", "number", "##s", "and", "are", "here",
             "text", "is", "long", "to", "be", "trunc", "##ated", "by", "max", "seq", "length", "this", "enough",
             "The", "Lazy", "Dog", "THE", "LAZY", "DOG", "Caf", "##é", "accent", "every", "##where", "word"]
    letters = [c for c in "abcdefghiklmnopqrstuvwxyz0123456789"]  # no "j": "jazz" is unknown
    punctuation = list(".,!?;:'\"$%^&*()-") + ["東", "京", "北", "タ", "ワ", "ー"]
    tokens += words + letters + ["##" + c for c in letters] + punctuation
    seen, vocab = set(), []
    for t in tokens:
        if t not in seen:
            seen.add(t)
            vocab.append(t)
    return vocab


# ---------------------------------------------------------------- models in plain torch


def layer_norm(x, g, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * g + b


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def gelu_erf(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def pad(ids_list):
    width = max(len(ids) for ids in ids_list)
    ids = torch.zeros(len(ids_list), width, dtype=torch.long)
    mask = torch.zeros(len(ids_list), width, dtype=torch.float64)
    for i, row in enumerate(ids_list):
        ids[i, :len(row)] = torch.tensor(row)
        mask[i, :len(row)] = 1
    return ids, mask


def attention(x, w, prefix, names, heads, head_dim, scale, bias_add):
    b, t, _ = x.shape
    def proj(name):
        weight = w[prefix + names[name] + ".weight"]
        bias = w.get(prefix + names[name] + ".bias")
        return F.linear(x, weight, bias).view(b, t, heads, head_dim).transpose(1, 2)
    q, k, v = proj("q"), proj("k"), proj("v")
    scores = q @ k.transpose(-1, -2) * scale + bias_add
    probs = torch.softmax(scores, dim=-1)
    return (probs @ v).transpose(1, 2).reshape(b, t, heads * head_dim)


def bert_forward(w, cfg, ids_list):
    ids, mask = pad(ids_list)
    eps, h, heads = cfg["layer_norm_eps"], cfg["hidden_size"], cfg["num_attention_heads"]
    t = ids.shape[1]
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:t] + \
        w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    mask = mask.to(x.dtype)
    mask_add = (1.0 - mask)[:, None, None, :] * torch.finfo(x.dtype).min
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value"}
    act = {"gelu": gelu_erf, "gelu_new": gelu_tanh, "relu": torch.relu}[cfg["hidden_act"]]
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        ctx = attention(x, w, p, names, heads, h // heads, 1.0 / math.sqrt(h // heads), mask_add)
        a = F.linear(ctx, w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"])
        x = layer_norm(a + x, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
        inner = act(F.linear(x, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"]))
        o = F.linear(inner, w[p + "output.dense.weight"], w[p + "output.dense.bias"])
        x = layer_norm(o + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
    return x, mask


def t5_bucket(relative_position, num_buckets, max_distance):
    # Hugging Face's T5Attention._relative_position_bucket, bidirectional.
    buckets = 0
    num_buckets //= 2
    buckets += (relative_position > 0).to(torch.long) * num_buckets
    relative_position = torch.abs(relative_position)
    max_exact = num_buckets // 2
    is_small = relative_position < max_exact
    large = max_exact + (torch.log(relative_position.float() / max_exact) / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(is_small, relative_position, large)


def t5_forward(w, cfg, ids_list):
    ids, mask = pad(ids_list)
    eps, heads, d_kv = cfg["layer_norm_epsilon"], cfg["num_heads"], cfg["d_kv"]
    t = ids.shape[1]
    x = w["shared.weight"][ids]
    position = torch.arange(t)
    buckets = t5_bucket(position[None, :] - position[:, None], cfg["relative_attention_num_buckets"],
                        cfg["relative_attention_max_distance"])
    rel = w["encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"]
    bias = rel[buckets].permute(2, 0, 1)[None]  # [1, heads, t, t]
    mask = mask.to(x.dtype)
    bias = bias + (1.0 - mask)[:, None, None, :] * torch.finfo(x.dtype).min
    names = {"q": "SelfAttention.q", "k": "SelfAttention.k", "v": "SelfAttention.v"}
    gated = cfg["feed_forward_proj"].startswith("gated")
    for i in range(cfg["num_layers"]):
        p0, p1 = f"encoder.block.{i}.layer.0.", f"encoder.block.{i}.layer.1."
        normed = rms_norm(x, w[p0 + "layer_norm.weight"], eps)
        ctx = attention(normed, w, p0, names, heads, d_kv, 1.0, bias)
        x = x + F.linear(ctx, w[p0 + "SelfAttention.o.weight"])
        normed = rms_norm(x, w[p1 + "layer_norm.weight"], eps)
        if gated:
            inner = gelu_tanh(F.linear(normed, w[p1 + "DenseReluDense.wi_0.weight"])) * \
                F.linear(normed, w[p1 + "DenseReluDense.wi_1.weight"])
        else:
            inner = torch.relu(F.linear(normed, w[p1 + "DenseReluDense.wi.weight"]))
        x = x + F.linear(inner, w[p1 + "DenseReluDense.wo.weight"])
    return rms_norm(x, w["encoder.final_layer_norm.weight"], eps), mask


def pool(states, mask, modes):
    m = mask[:, :, None]
    out = []
    if "cls" in modes:
        out.append(states[:, 0])
    if "max" in modes:
        out.append(torch.where(m > 0, states, torch.full_like(states, -1e9)).max(1).values)
    summed, count = (states * m).sum(1), m.sum(1)
    if "mean" in modes:
        out.append(summed / count)
    if "mean_sqrt_len_tokens" in modes:
        out.append(summed / torch.sqrt(count))
    return torch.cat(out, -1)


# ---------------------------------------------------------------- model folders


def rand(rng, *shape, scale=0.2):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def bert_weights(rng, cfg):
    h, ff, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    w = {"embeddings.word_embeddings.weight": rand(rng, v, h, scale=1.0),
         "embeddings.position_embeddings.weight": rand(rng, cfg["max_position_embeddings"], h, scale=0.5),
         "embeddings.token_type_embeddings.weight": rand(rng, cfg["type_vocab_size"], h, scale=0.5),
         "embeddings.LayerNorm.weight": 1 + rand(rng, h, scale=0.1),
         "embeddings.LayerNorm.bias": rand(rng, h, scale=0.1)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]:
            w[p + name + ".weight"] = rand(rng, h, h, scale=0.3)
            w[p + name + ".bias"] = rand(rng, h, scale=0.1)
        w[p + "attention.output.LayerNorm.weight"] = 1 + rand(rng, h, scale=0.1)
        w[p + "attention.output.LayerNorm.bias"] = rand(rng, h, scale=0.1)
        w[p + "intermediate.dense.weight"] = rand(rng, ff, h, scale=0.3)
        w[p + "intermediate.dense.bias"] = rand(rng, ff, scale=0.1)
        w[p + "output.dense.weight"] = rand(rng, h, ff, scale=0.2)
        w[p + "output.dense.bias"] = rand(rng, h, scale=0.1)
        w[p + "output.LayerNorm.weight"] = 1 + rand(rng, h, scale=0.1)
        w[p + "output.LayerNorm.bias"] = rand(rng, h, scale=0.1)
    w["pooler.dense.weight"] = rand(rng, h, h)  # present in hub checkpoints, unused by embeddings
    return w


def t5_weights(rng, cfg):
    d, ff, inner = cfg["d_model"], cfg["d_ff"], cfg["num_heads"] * cfg["d_kv"]
    w = {"shared.weight": rand(rng, cfg["vocab_size"], d, scale=1.0),
         "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight":
             rand(rng, cfg["relative_attention_num_buckets"], cfg["num_heads"], scale=1.0),
         "encoder.final_layer_norm.weight": 1 + rand(rng, d, scale=0.1)}
    for i in range(cfg["num_layers"]):
        p0, p1 = f"encoder.block.{i}.layer.0.", f"encoder.block.{i}.layer.1."
        w[p0 + "layer_norm.weight"] = 1 + rand(rng, d, scale=0.1)
        for name in "qkv":
            w[p0 + f"SelfAttention.{name}.weight"] = rand(rng, inner, d, scale=0.15)
        w[p0 + "SelfAttention.o.weight"] = rand(rng, d, inner, scale=0.2)
        w[p1 + "layer_norm.weight"] = 1 + rand(rng, d, scale=0.1)
        if cfg["feed_forward_proj"].startswith("gated"):
            w[p1 + "DenseReluDense.wi_0.weight"] = rand(rng, ff, d, scale=0.3)
            w[p1 + "DenseReluDense.wi_1.weight"] = rand(rng, ff, d, scale=0.3)
        else:
            w[p1 + "DenseReluDense.wi.weight"] = rand(rng, ff, d, scale=0.3)
        w[p1 + "DenseReluDense.wo.weight"] = rand(rng, d, ff, scale=0.2)
    return w


def write_head(folder, rng, width, modes, dense, normalize, max_seq_length, lower_case=False):
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    write_json(f"{folder}/1_Pooling/config.json", {
        "word_embedding_dimension": width,
        "pooling_mode_cls_token": "cls" in modes, "pooling_mode_mean_tokens": "mean" in modes,
        "pooling_mode_max_tokens": "max" in modes,
        "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens" in modes})
    dense_weights = None
    if dense:
        out_features, bias, activation = dense
        in_features = width * len(modes)
        modules.append({"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
        write_json(f"{folder}/2_Dense/config.json", {
            "in_features": in_features, "out_features": out_features, "bias": bias,
            "activation_function": activation})
        dense_weights = {"linear.weight": rand(rng, out_features, in_features, scale=0.3)}
        if bias:
            dense_weights["linear.bias"] = rand(rng, out_features, scale=0.1)
        save_safetensors(f"{folder}/2_Dense/model.safetensors", dense_weights, "F32")
        dense_weights = load_safetensors(f"{folder}/2_Dense/model.safetensors")
    if normalize:
        modules.append({"idx": len(modules), "name": str(len(modules)), "path": f"{len(modules)}_Normalize",
                        "type": "sentence_transformers.models.Normalize"})
        os.makedirs(f"{folder}/{len(modules) - 1}_Normalize", exist_ok=True)
    write_json(f"{folder}/modules.json", modules)
    write_json(f"{folder}/sentence_bert_config.json", {"max_seq_length": max_seq_length, "do_lower_case": lower_case})
    return dense_weights


def apply_head(pooled, dense, dense_weights, normalize):
    x = pooled
    if dense:
        x = F.linear(x, dense_weights["linear.weight"], dense_weights.get("linear.bias"))
        if dense[2].endswith("Tanh"):
            x = torch.tanh(x)
    if normalize:
        x = F.normalize(x, p=2, dim=1)
    return x


def make_bert(out, name, rng, dtype, modes, dense, normalize, lower=True, tokenizer_json=False,
              act="gelu", overrides_f32_norms=False, pad_header=True):
    folder = f"{out}/{name}"
    vocab = make_vocab()
    cfg = {"model_type": "bert", "architectures": ["BertModel"], "vocab_size": len(vocab) + 3,
           "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 64,
           "max_position_embeddings": 64, "type_vocab_size": 2, "layer_norm_eps": 1e-12,
           "hidden_act": act, "position_embedding_type": "absolute"}
    write_json(f"{folder}/config.json", cfg)
    weights = bert_weights(rng, cfg)
    overrides = {k: "F32" for k in weights if "LayerNorm" in k} if overrides_f32_norms else {}
    save_safetensors(f"{folder}/model.safetensors", weights, dtype, pad_header, overrides)
    if tokenizer_json:
        write_json(f"{folder}/tokenizer.json", {
            "version": "1.0",
            "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                           "strip_accents": None, "lowercase": lower},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(vocab)}}})
    else:
        with open(f"{folder}/vocab.txt", "w") as f:
            f.write("\n".join(vocab) + "\n")
        write_json(f"{folder}/tokenizer_config.json", {"do_lower_case": lower, "model_max_length": 512})
    max_seq_length = 24
    dense_weights = write_head(folder, rng, 32, modes, dense, normalize, max_seq_length)
    w = load_safetensors(f"{folder}/model.safetensors")
    ids = [wordpiece_ids(t, {tok: i for i, tok in enumerate(vocab)}, lower, max_seq_length) for t in TEXTS]
    states, mask = bert_forward(w, cfg, ids)
    return ids, apply_head(pool(states, mask, modes), dense, dense_weights, normalize)


def train_spiece(path):
    corpus = []
    rng = np.random.default_rng(7)
    words = ("the quick brown fox jumps over lazy dog numbers symbols are here text long enough truncated "
             "maximum sequence length hello world café naïve résumé accents everywhere").split()
    for _ in range(400):
        corpus.append(" ".join(rng.choice(words, size=8)))
    writer = io.BytesIO()
    spm.SentencePieceTrainer.train(sentence_iterator=iter(corpus), model_writer=writer, vocab_size=50, hard_vocab_limit=False,
                                   pad_id=0, eos_id=1, unk_id=2, bos_id=-1, minloglevel=2,
                                   character_coverage=1.0)
    with open(path, "wb") as f:
        f.write(writer.getvalue())
    return spm.SentencePieceProcessor(model_file=path)


def make_t5(out, name, rng, dtype, ff_proj, modes, dense, normalize, max_seq_length=40):
    folder = f"{out}/{name}"
    os.makedirs(folder, exist_ok=True)
    sp = train_spiece(f"{folder}/spiece.model")
    cfg = {"model_type": "t5", "architectures": ["T5EncoderModel"], "vocab_size": sp.get_piece_size() + 4,
           "d_model": 32, "d_kv": 8, "d_ff": 48, "num_layers": 2, "num_heads": 4,
           "relative_attention_num_buckets": 8, "relative_attention_max_distance": 16,
           "layer_norm_epsilon": 1e-6, "feed_forward_proj": ff_proj}
    write_json(f"{folder}/config.json", cfg)
    save_safetensors(f"{folder}/model.safetensors", t5_weights(rng, cfg), dtype)
    dense_weights = write_head(folder, rng, 32, modes, dense, normalize, max_seq_length)
    w = load_safetensors(f"{folder}/model.safetensors")
    ids = [sp.encode(t)[:max_seq_length - 1] + [sp.eos_id()] for t in TEXTS]
    states, mask = t5_forward(w, cfg, ids)
    return ids, apply_head(pool(states, mask, modes), dense, dense_weights, normalize)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    out = parser.parse_args().out
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    rng = np.random.default_rng(1234)
    tanh, identity = "torch.nn.modules.activation.Tanh", "torch.nn.modules.linear.Identity"
    models = {
        "bert_f32_mean_normalize": make_bert(out, "bert_f32_mean_normalize", rng, "F32", ["mean"], None, True),
        "bert_f16_cls_dense_tanh": make_bert(out, "bert_f16_cls_dense_tanh", rng, "F16", ["cls"],
                                             (24, True, tanh), False, tokenizer_json=True),
        "bert_bf16_cased_max_meansqrt": make_bert(out, "bert_bf16_cased_max_meansqrt", rng, "BF16",
                                                  ["max", "mean_sqrt_len_tokens"], None, False, lower=False,
                                                  act="gelu_new", overrides_f32_norms=True, pad_header=False),
        "t5_relu_f32_mean_dense_normalize": make_t5(out, "t5_relu_f32_mean_dense_normalize", rng, "F32", "relu",
                                                    ["mean"], (24, False, identity), True),
        "t5_gated_f16_mean": make_t5(out, "t5_gated_f16_mean", rng, "F16", "gated-gelu", ["mean"], None, False),
        "t5_gated_f32_cls_mean_dense": make_t5(out, "t5_gated_f32_cls_mean_dense", rng, "F32", "gated-gelu",
                                               ["cls", "mean"], (16, True, tanh), False),
    }
    reference = {"texts": TEXTS, "models": {
        name: {"ids": ids, "embeddings": vectors.tolist()} for name, (ids, vectors) in models.items()}}
    write_json(f"{out}/reference.json", reference)


if __name__ == "__main__":
    main()
