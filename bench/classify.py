"""Classification throughput on one core (parsing included) and time to the first result.

    python bench/classify.py [FOLDER_OF_EML]

Reads the dev corpus (../shared/corpus/dev, or the example mails of the classifier tests
when it is absent), repeats it to at least 2,000 messages, and times parse + classify
pinned to one CPU. The time to first result is measured in a fresh interpreter: import,
model load, parse and classify one message. The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "corpus" / "dev"
MINIMUM = 2000

_FIRST_RESULT = """
import sys, time
t0 = time.perf_counter()
from intake.parsing import parse_mail
from intake.classifiers import classify
raw = open(sys.argv[1], "rb").read()
verdict = classify(parse_mail(raw))
print(time.perf_counter() - t0, verdict.intent)
"""


def messages(folder: Path | None) -> list[bytes]:
    if folder is None and DEV.is_dir():
        folder = DEV
    if folder is not None:
        return [p.read_bytes() for p in sorted(folder.glob("*.eml"))]
    sys.path.insert(0, str(ROOT))
    from tests.classifiers.examples import all_examples

    return [ex.raw() for ex in all_examples()]


def first_result(sample: Path) -> tuple[float, float]:
    """Seconds to the first verdict: from interpreter start (wall) and from the first import."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_RESULT, str(sample)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - start
    return wall, float(out.stdout.split()[0])


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    raws = messages(folder)
    batch = raws * (MINIMUM // len(raws) + 1)

    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "first.eml"
        sample.write_bytes(raws[0])
        first = [first_result(sample) for _ in range(3)]
    wall = sorted(w for w, _ in first)[1]
    in_process = sorted(p for _, p in first)[1]

    sys.path.insert(0, str(ROOT))
    from intake.classifiers import classify
    from intake.parsing import parse_mail

    classify(parse_mail(raws[0]))  # the model is loaded; what follows is steady state
    start = time.perf_counter()
    parse_time = 0.0
    for raw in batch:
        t = time.perf_counter()
        parsed = parse_mail(raw)
        parse_time += time.perf_counter() - t
        classify(parsed)
    elapsed = time.perf_counter() - start
    rate = len(batch) / elapsed
    classify_ms = (elapsed - parse_time) / len(batch) * 1000

    print(f"messages: {len(batch)} ({len(raws)} distinct), one core")
    print(f"throughput: {rate:.0f} messages/s parse + classify ({elapsed:.2f} s)")
    print(
        f"  parse {parse_time / len(batch) * 1000:.3f} ms, classify {classify_ms:.3f} ms per message"
    )
    print(
        f"time to first result: {wall:.3f} s wall in a fresh interpreter"
        f" ({in_process:.3f} s from first import)"
    )
    print(
        json.dumps(
            {
                "messages": len(batch),
                "messages_per_second": round(rate, 1),
                "parse_ms": round(parse_time / len(batch) * 1000, 3),
                "classify_ms": round(classify_ms, 3),
                "first_result_wall_s": round(wall, 3),
                "first_result_in_process_s": round(in_process, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
