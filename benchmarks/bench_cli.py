"""Wall time of `cathode-lca compare NMC811 --format json`, interpreter start-up included.

The first run may fill the parsed-inventory cache; the best of the following runs is reported.

    python benchmarks/bench_cli.py [--runs N]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 2 if args.quick else args.runs
    exe = shutil.which("cathode-lca")
    command = [exe] if exe else [sys.executable, "-m", "cathode_lca.cli"]
    command += ["compare", "NMC811", "--format", "json"]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare = time.perf_counter() - t0
    print(
        f"cathode-lca compare NMC811 --format json: first {times[0]:.2f} s, best of the rest {min(times[1:]):.2f} s "
        f"(bare Python start-up {bare:.2f} s)"
    )


if __name__ == "__main__":
    main()
