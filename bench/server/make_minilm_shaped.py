#!/usr/bin/python3
"""Writes a random MiniLM-L6-shaped sentence-transformers folder (the shape bench/embed uses).

Usage: make_minilm_shaped.py DIR
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("compare", os.path.join(HERE, "..", "embed", "compare_with_torch.py"))
compare = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare)
shape = compare.SHAPES["minilm_l6_shaped"]
compare.write_model(sys.argv[1], shape["kind"], shape["cfg"])
