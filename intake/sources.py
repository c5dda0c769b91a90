"""Where raw messages come from on the embedded default: files, folders, Maildirs, mbox files."""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from intake.errors import InputError

_SKIP_SUFFIXES = {".jsonl", ".json", ".yml", ".yaml", ".txt.expected", ".md", ".py"}
_SKIP_NAMES = {"README", "README.md", "LICENSE", "UPSTREAM-LICENSE.txt", "COPYING", "labels.jsonl"}


@dataclass(frozen=True, slots=True)
class RawSource:
    """One raw message and where it came from (shown to people, kept with the message)."""

    origin: str
    raw: bytes


def check_paths(paths: list[Path]) -> None:
    """Refuse unreadable paths before any work starts, with the path in the message."""
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_file():
            try:
                with path.open("rb"):
                    pass
            except OSError as exc:
                raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def iter_sources(paths: list[Path]) -> Iterator[RawSource]:
    """Every message under the given paths, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from _iter_dir(path)
        elif _is_mbox(path):
            yield from _iter_mbox(path)
        else:
            yield RawSource(str(path), path.read_bytes())


def count_sources(paths: list[Path]) -> int:
    return sum(1 for _ in iter_sources(paths))


def _iter_dir(folder: Path) -> Iterator[RawSource]:
    if (folder / "cur").is_dir() and (folder / "new").is_dir():
        for sub in ("new", "cur"):
            for file in sorted((folder / sub).iterdir()):
                if file.is_file():
                    yield RawSource(str(file), file.read_bytes())
        return
    for file in sorted(folder.rglob("*")):
        if file.is_file() and _looks_like_mail_file(file):
            if _is_mbox(file):
                yield from _iter_mbox(file)
            else:
                yield RawSource(str(file), file.read_bytes())


def _looks_like_mail_file(file: Path) -> bool:
    if file.name in _SKIP_NAMES or file.name.startswith("."):
        return False
    return not any(file.name.endswith(s) for s in _SKIP_SUFFIXES)


def _is_mbox(file: Path) -> bool:
    """An mbox starts with a 'From ' line and holds more than one message."""
    if file.suffix.lower() == ".mbox":
        return True
    with file.open("rb") as fh:
        head = fh.read(5)
    return head == b"From " and file.suffix.lower() not in (".eml", ".msg")


def _iter_mbox(file: Path) -> Iterator[RawSource]:
    box = mailbox.mbox(str(file), create=False)
    try:
        for key in box.iterkeys():
            yield RawSource(f"{file}#{key}", box.get_bytes(key))
    finally:
        box.close()
