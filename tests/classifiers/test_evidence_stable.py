"""The evidence a ticket shows for its intent is the same in every process.

Rules name groups of concepts as sets; were the hits read in set order, a tie between two
equally strong words would be named by whichever string hashing put first, and the same mail
would show other evidence after a restart.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from pathlib import Path
from intake.classifiers import classify
from intake.parsing import parse_mail
for path in sorted(Path(sys.argv[1]).rglob("*.eml")):
    verdict = classify(parse_mail(path.read_bytes()))
    print(path.name, verdict.intent.value, [str(e) for e in verdict.evidence])
"""


def _evidence_with_hash_seed(seed: str, corpus: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(corpus)], capture_output=True, text=True, cwd=REPO, check=True,
        env={**os.environ, "PYTHONHASHSEED": seed}, timeout=300,
    )
    return done.stdout


def test_the_same_mail_gets_the_same_evidence_whatever_the_hash_seed(dev_corpus: Path) -> None:
    corpora = dev_corpus.parent  # the citizens' mails and the odd ones from other projects
    first = _evidence_with_hash_seed("1", corpora)
    assert first.count("\n") >= 300
    assert _evidence_with_hash_seed("2", corpora) == first
    assert _evidence_with_hash_seed("3", corpora) == first
