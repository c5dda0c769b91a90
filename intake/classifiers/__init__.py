"""Classification: plain functions of a ParsedMail, protective detectors first, then intent.

``classify(parsed)`` is the one entry point; it does no I/O.
"""

from intake.classifiers.pipeline import classify
from intake.classifiers.verdict import Classification, Evidence

__all__ = ["Classification", "Evidence", "classify"]
