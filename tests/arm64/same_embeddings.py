"""Checks that two `detect --json --embedding` documents found the same faces with the same embeddings.

usage: same_embeddings.py REFERENCE.json OTHER.json MAX_COSINE_DISTANCE
Prints one line: the number of faces and the largest 1 - cosine; exits 1 when they differ.
"""
import json
import math
import sys


def faces(path):
    with open(path, encoding="utf-8") as f:
        return [face["embedding"] for face in json.load(f)["faces"]]


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


reference, other, limit = faces(sys.argv[1]), faces(sys.argv[2]), float(sys.argv[3])
if not reference:
    sys.exit(f"{sys.argv[1]}: no face was found, so nothing is compared")
if len(reference) != len(other) or any(len(a) != len(b) for a, b in zip(reference, other)):
    sys.exit(f"{len(reference)} faces on x64, {len(other)} on arm64 (or embeddings of different lengths)")
worst = max(1 - cosine(a, b) for a, b in zip(reference, other))
print(f"{len(reference)} faces, largest 1 - cosine {worst:.1e} (limit {limit:g})")
sys.exit(0 if worst <= limit else 1)
