"""Parse a message with large attachments without reading them line by line.

The standard library's parser reads every line in Python, about half a microsecond each: a
5 MB photo, 70,000 lines of base64, costs some 40 ms, while the structure around it is a few
dozen lines. So each large body of a part is set aside before parsing, a one-line token parsed
in its place, and the body put back into the parsed tree afterwards.

The tree is the same as a parse of the whole (tests/parsing/test_mime_skeleton.py compares
them over the corpus). Inside a body the parser decides only about lines starting with "--";
a body set aside holds none, under any line-end convention, and neither does its token, so
the parser makes the same decisions. What cannot be shown safe is parsed whole: a part whose
headers mention a multipart or message type, or a token that does not come back as the whole
payload of a part in a multipart (a part of a digest, say, which is a message by default).
"""

from __future__ import annotations

import email
import email.policy
import re
import secrets
from email.message import Message
from itertools import pairwise

# Bodies under this size stay in place: setting them aside would save next to nothing.
MIN_BODY = 16 * 1024
# How far into a part its blank line is looked for: part headers are short.
_MAX_PART_HEAD = 16 * 1024

_LINE_ENDS = (b"\n", b"\r")
_LINE_END = re.compile(rb"\r\n|\r|\n")
_BLANK_LINE = re.compile(rb"(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r(?!\n)|\n)")
_NOT_A_LEAF = re.compile(rb"multipart|message", re.IGNORECASE)


def message_from_bytes(data: bytes) -> Message:
    """``email.message_from_bytes(data, policy=compat32)``, faster on large attachments."""
    if len(data) >= 2 * MIN_BODY:
        skeleton, bodies = _set_aside(data)
        if bodies:
            msg = email.message_from_bytes(skeleton, policy=email.policy.compat32)
            if _put_back(msg, bodies):
                return msg
    return email.message_from_bytes(data, policy=email.policy.compat32)


def _delimiter_lines(data: bytes) -> list[int]:
    """Where each line starting with "--" starts ("\\r", "\\n" and "\\r\\n" all end lines)."""
    found = []
    at = data.find(b"-")  # one byte: a memchr scan, where base64 has no "-" at all
    while at >= 0:
        if data[at + 1 : at + 2] == b"-" and data[at - 1 : at] in _LINE_ENDS:
            found.append(at)
        at = data.find(b"-", at + 1)
    return found


def _set_aside(data: bytes) -> tuple[bytes, dict[str, bytes]]:
    """The message with each large leaf body replaced by a token; the bodies by token."""
    head = _BLANK_LINE.search(data)
    if head is None:
        return data, {}
    starts = [at for at in _delimiter_lines(data) if at > head.start()]
    nonce = secrets.token_hex(8)
    pieces: list[bytes] = []
    bodies: dict[str, bytes] = {}
    done = 0
    # Between two delimiter lines: the rest of the first, the part's headers, a blank line, its
    # body, and the line end that belongs to the next delimiter line.
    for start, end in pairwise(starts):
        if end - start < MIN_BODY:
            continue
        window = min(end, start + _MAX_PART_HEAD)
        blank = _BLANK_LINE.search(data, start, window)
        # A blank line found right at the window's edge may be half of one: not trusted.
        if blank is None or blank.end() >= window:
            continue
        boundary_line_end = _LINE_END.search(data, start, blank.end())
        assert boundary_line_end is not None  # the blank line is one
        if _NOT_A_LEAF.search(data, boundary_line_end.end(), blank.start()):
            continue
        body_start = blank.end()
        body_end = end - 2 if data[end - 2 : end] == b"\r\n" else end - 1
        if body_end - body_start < MIN_BODY:
            continue
        token = f"intake-set-aside-{nonce}-{len(bodies)}"
        pieces += [data[done:body_start], token.encode()]
        bodies[token] = data[body_start:body_end]
        done = body_end
    pieces.append(data[done:])
    return b"".join(pieces), bodies


def _put_back(msg: Message, bodies: dict[str, bytes]) -> bool:
    """Each body back in the part (of a multipart) whose whole payload is its token; False when
    one does not come back so."""
    put_back = 0
    stack: list[tuple[Message, bool]] = [(msg, False)]  # no recursion: parts may nest deep
    while stack:
        part, in_multipart = stack.pop()
        payload = part.get_payload()
        if isinstance(payload, list):
            multipart = part.get_content_maintype() == "multipart"
            stack.extend((p, multipart) for p in payload if isinstance(p, Message))
        elif isinstance(payload, str) and payload in bodies and in_multipart:
            # Kept as the parser keeps bytes: ASCII, anything else as surrogate escapes.
            part.set_payload(bodies[payload].decode("ascii", "surrogateescape"))
            put_back += 1
    return put_back == len(bodies)
