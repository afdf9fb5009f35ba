#!/usr/bin/python3
"""Times StationEdge's two ONNX files under OpenCV's DNN module, the alternative a user would pick.

`station-edge bench` runs this on the same photos in the same run and reports ORT / OpenCV ratios.
Prints one JSON object: {"opencv": version, "threads": n, "detect_ms": {...}, "embed_ms": {...}}.
Network time does not depend on pixel content, so the embedder gets a plain 112x112 resize of each photo.
"""
import argparse
import json
import sys
import time

try:
    import cv2
    import numpy as np
except ImportError as e:  # the caller reports this line
    print(json.dumps({"error": f"python3-opencv not available: {e}"}))
    sys.exit(0)


def letterbox(img, size):
    h, w = img.shape[:2]
    s = size / max(h, w)
    nw, nh = max(1, round(w * s)), max(1, round(h * s))
    out = np.zeros((size, size, 3), np.uint8)
    y, x = (size - nh) // 2, (size - nw) // 2
    out[y:y + nh, x:x + nw] = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
    return out


def timed(net, blob, runs):
    names = net.getUnconnectedOutLayersNames()
    net.setInput(blob)
    net.forward(names)  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        net.setInput(blob)
        net.forward(names)
        times.append((time.perf_counter() - start) * 1000)
    return times


def stats(times):
    arr = np.array(times)
    return {"median": float(np.median(arr)), "p95": float(np.percentile(arr, 95)), "runs": len(times)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--detector", required=True)
    ap.add_argument("--embedder", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("photos", nargs="+")
    a = ap.parse_args()
    cv2.setNumThreads(a.threads)
    det = cv2.dnn.readNetFromONNX(a.detector)
    emb = cv2.dnn.readNetFromONNX(a.embedder)
    detect, embed = [], []
    for path in a.photos:
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            continue
        rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        d = letterbox(rgb, 128).astype(np.float32)[None] / 127.5 - 1.0
        e = (cv2.resize(rgb, (112, 112)).astype(np.float32)[None] - 127.5) / 128.0
        detect += timed(det, d, a.runs)
        embed += timed(emb, e, a.runs)
    print(json.dumps({"opencv": cv2.__version__, "threads": a.threads,
                      "detect_ms": stats(detect), "embed_ms": stats(embed)}))


if __name__ == "__main__":
    main()
