"""Text out of MIME parts: charset decoding with a fallback, and HTML to plain text."""

from __future__ import annotations

import re
from email.message import Message

from selectolax.lexbor import LexborHTMLParser as HTMLParser

_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote")


def decode_payload(part: Message) -> tuple[str, str | None]:
    """Decode a text part; returns the text and a defect note when the charset was wrong."""
    data = part.get_payload(decode=True) or b""
    declared = part.get_content_charset()
    return decode_bytes(data, declared)


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str | None]:
    if declared:
        try:
            return data.decode(declared), None
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        text = data.decode("utf-8")
        problem = None if declared in (None, "us-ascii") else f"charset {declared!r} failed; read as utf-8"
        return text, problem
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    guess = best.encoding if best else "cp1252"
    what = f"declared {declared!r}" if declared else "no charset declared"
    return data.decode(guess, "replace"), f"{what}; decoded as {guess}"


def html_to_text(html: str) -> str:
    """Readable text from HTML: block elements become line breaks, scripts and styles vanish."""
    tree = HTMLParser(html)
    for node in tree.css("script, style, head, title"):
        node.decompose()
    for tag in _BLOCK_TAGS:
        for node in tree.css(tag):
            node.insert_before("\n")
    body = tree.body or tree.root
    text = body.text(separator="", deep=True) if body is not None else ""
    text = text.replace("\xa0", " ")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n\s*\n\s*\n+", "\n\n", text)
    return "\n".join(line.strip() for line in text.splitlines()).strip()
