"""Addresses out of address headers, forgiving of the mistakes real mail makes."""

from __future__ import annotations

import re

from intake.mail import Address
from intake.mime_text import clean_line, decode_words

MAX_ADDRESSES = 1000  # per address header


_ADDRESS_TOKEN = re.compile(
    r'"(?P<quoted>(?:[^"\\]|\\.)*)"?'
    r"|\((?P<comment>(?:[^()\\]|\\.)*)\)?"  # (not nested)
    r"|<(?P<angle>[^<>]*)>?"
    r"|(?P<word>[^\s\"(<]+)",
    re.DOTALL,
)
_BACKSLASH = re.compile(r"\\(.)", re.DOTALL)


def parse_address_list(
    value: str, *, allow_local: bool = False, problems: list[str] | None = None
) -> list[Address]:
    """Addresses out of one (already 8-bit-decoded) address header, forgiving of mistakes.

    ``Name <a@b>``, ``a@b (Name)``, ``"Last, First" <a@b>``, groups, unquoted names with
    odd characters, and a bare word with no ``@`` when ``allow_local`` (``MAILER-DAEMON``).
    Encoded words are decoded in names only, never in the address itself (RFC 2047 5).
    """
    result = []
    for item in _split_address_list(value.replace("\r", " ").replace("\n", " ")):
        found = _parse_address(item, allow_local)
        if found is None:
            continue
        addr, name = found
        name = clean_line(decode_words(name, problems)).strip("\"' ")
        result.append(Address(email=addr.lower(), name=name))
        if len(result) >= MAX_ADDRESSES:
            break
    return result


_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?]*\?=")
_SEPARATOR_IN_ANGLE = re.compile(r"<[^>]*[,;]")


def _split_address_list(value: str) -> list[str]:
    """Split at commas outside quotes, comments, angle brackets and encoded words; group
    names ("undisclosed-recipients:") dropped."""
    if not any(ch in value for ch in '"(\\:=') and not _SEPARATOR_IN_ANGLE.search(value):
        # The common case: no quotes, comments, groups or encoded words to keep together.
        return [item.strip() for item in re.split("[,;]", value) if item.strip()]
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = angle = False
    depth = i = 0
    while i < len(value):
        ch = value[i]
        i += 1
        if escaped:
            escaped = False
        elif ch == "\\" and (quoted or depth):
            escaped = True
        elif quoted:
            quoted = ch != '"'
        elif depth:
            depth += {"(": 1, ")": -1}.get(ch, 0)
        elif ch == "=" and value.startswith("?", i):
            word = _ENCODED_WORD.match(value, i - 1)
            if word:  # "=?iso-8859-1?Q?B=FCrling,=20Andreas?=" holds a comma that is a name's
                current.append(word.group())
                i = word.end()
                continue
        elif ch == '"':
            quoted = True
        elif ch == "(":
            depth = 1
        elif ch == "<":
            angle = True
        elif ch == ">":
            angle = False
        elif ch in ",;" and not angle:
            items.append("".join(current))
            current = []
            continue
        elif ch == ":" and not angle:
            current = []
            continue
        current.append(ch)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _parse_address(item: str, allow_local: bool) -> tuple[str, str] | None:
    words: list[tuple[str, bool]] = []  # (text, was quoted)
    comments: list[str] = []
    angle: str | None = None
    for match in _ADDRESS_TOKEN.finditer(item):
        kind = match.lastgroup
        text = match.group(kind or "word") or ""
        if kind == "angle":
            angle = text if angle is None else angle
        elif kind == "comment":
            comments.append(_BACKSLASH.sub(r"\1", text).strip())
        elif kind == "quoted":
            words.append((_BACKSLASH.sub(r"\1", text), True))
        else:
            words.append((text, False))
    if angle is not None and ("@" in angle or (allow_local and _LOCAL_PART.match(angle.strip()))):
        addr = angle.strip()
        if addr.startswith("@") and ":" in addr:
            addr = addr.split(":", 1)[1]  # an obsolete source route
        name = " ".join(text for text, _ in words) or " ".join(comments)
        return _valid(addr, name, spaces_ok=True)
    at = [i for i, (text, _) in enumerate(words) if "@" in text.strip("<>")]
    if at:
        index = next((i for i in reversed(at) if not words[i][1]), at[-1])
        rest = " ".join(text for i, (text, _) in enumerate(words) if i != index)
        return _valid(words[index][0].strip("<>"), rest or " ".join(comments))
    in_comment = [c for c in comments if "@" in c and " " not in c.strip()]
    if in_comment:  # "Name (a@b)": the address was written as a comment
        return _valid(in_comment[0].strip("<> "), " ".join(text for text, _ in words))
    if allow_local and len(words) == 1 and not words[0][1] and _LOCAL_PART.match(words[0][0]):
        return _valid(words[0][0], " ".join(comments))
    return None


_LOCAL_PART = re.compile(r"[A-Za-z0-9._%+=-]+\Z")


def _valid(addr: str, name: str, *, spaces_ok: bool = False) -> tuple[str, str] | None:
    """The address if it can be one: something before and after any @, no blanks unless
    written inside <> (kept as written, for a human to see; no reply will go there)."""
    addr = clean_line(addr.strip("'\"")).rstrip(".")  # "a@example.com." is a@example.com
    if not addr or addr.startswith("@") or addr.endswith("@"):
        return None
    if " " in addr and not spaces_ok:
        return None
    return addr, name.strip()
