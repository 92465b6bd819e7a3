"""How fast the understanding is: parses per second and latency on one core, model load time,
training time, and the resident memory of a loaded model.

    python bench/nlu.py [--quick]

Texts are the held-out evaluation sets (``intents/data/eval``) in fi, sv and en, parsed in a
shuffled round. Latency is per ``parse`` call, measured on one core of this process (the
machine's BLAS threads are limited to one). The goal is a p99 under 2 ms. The last line is
``nlu: <p99 ms>``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, as the goal says

import argparse
import gc
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from intents import Understanding  # noqa: E402


def resident_kib() -> int:
    """Current resident set size of this process, from /proc (KiB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_of_a_loaded_model(path: Path) -> int:
    """Resident memory a fresh process gains by loading the model (KiB), imports excluded."""
    probe = (
        "import sys; sys.path.insert(0, sys.argv[2]);"
        "from bench.nlu import resident_kib; from pathlib import Path;"
        "from intents import Understanding; import intents.areas;"
        "before = resident_kib(); model = Understanding.load(Path(sys.argv[1]));"
        "print(resident_kib() - before)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(path), str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.split()[-1])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def texts() -> list[str]:
    found = []
    for language in ("fi", "sv", "en"):
        path = ROOT / "intents" / "data" / "eval" / f"{language}.jsonl"
        found += [json.loads(line)["text"] for line in path.read_text().splitlines() if line]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a run under a minute")
    arguments = parser.parse_args()
    rounds = 3 if arguments.quick else 20
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    started = time.perf_counter()
    trained = Understanding.train()
    training_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "model.npz"
        trained.save(path)
        size_kib = path.stat().st_size // 1024
        del trained
        gc.collect()
        loaded_kib = memory_of_a_loaded_model(path)
        started = time.perf_counter()
        model = Understanding.load(path)
        load_seconds = time.perf_counter() - started

    corpus = texts()
    for text in corpus[:200]:  # warm-up: caches, first-call costs
        model.parse(text)
    latencies = []
    order = random.Random(7)
    began = time.perf_counter()
    for _ in range(rounds):
        order.shuffle(corpus)
        for text in corpus:
            tick = time.perf_counter()
            model.parse(text)
            latencies.append(time.perf_counter() - tick)
    elapsed = time.perf_counter() - began
    p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000

    print(f"texts parsed: {len(latencies)} ({len(corpus)} held-out texts x {rounds} rounds)")
    print(f"parses per second (one core): {len(latencies) / elapsed:,.0f}")
    print(f"latency p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {max(latencies) * 1000:.3f} ms")
    print(f"training from the YAML: {training_seconds:.1f} s")
    print(f"model load: {load_seconds * 1000:.0f} ms (file {size_kib} KiB)")
    print(f"resident memory of the loaded model: {loaded_kib / 1024:.1f} MiB")
    print(f"nlu: {p99:.3f}")


if __name__ == "__main__":
    main()
