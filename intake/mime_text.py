"""Text out of MIME: charsets with a fallback, RFC 2047 words, uuencoded blocks, HTML to text.

Everything here takes bytes (or text carrying raw bytes as surrogate escapes) and returns
str that always encodes as UTF-8: no lone surrogates, never an exception for bad input.
What went wrong on the way is returned as a short note for ParsedMail.defects.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html as html_lib
import mimetypes
import re
from collections.abc import Callable
from email.message import Message

from selectolax.lexbor import LexborHTMLParser as HTMLParser

# --- charsets ------------------------------------------------------------------------------

# Names mail clients write that Python does not know, or knows as a smaller charset than the
# one the client really used (ks_c_5601-1987 is cp949 in practice, gb2312 is mostly gbk).
_ALIASES = {
    "iso-gb2312": "gb18030", "gb2312": "gb18030", "gb_2312-80": "gb18030", "gbk": "gb18030",
    "x-gbk": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030", "x-euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "ks_c_5601-1989": "cp949",
    "euc-kr": "cp949", "x-windows-949": "cp949", "korean": "cp949",
    "x-mac-cyrillic": "mac_cyrillic", "x-mac-ukrainian": "mac_cyrillic", "x-mac-roman": "mac_roman",
    "x-mac-greek": "mac_greek", "x-mac-turkish": "mac_turkish", "x-mac-ce": "mac_latin2",
    "x-mac-centraleurroman": "mac_latin2", "x-mac-icelandic": "mac_iceland",
    "unicode-1-1-utf-7": "utf-7", "x-unicode-1-1-utf-7": "utf-7", "x-unicode20utf7": "utf-7",
    "iso-8859-8-i": "iso-8859-8", "iso-8859-8-e": "iso-8859-8", "iso-8859-6-i": "iso-8859-6",
    "iso-8859-6-e": "iso-8859-6", "visual": "iso-8859-8", "logical": "iso-8859-8",
    "shift_jis": "cp932", "shift-jis": "cp932", "x-sjis": "cp932", "sjis": "cp932",
    "ms_kanji": "cp932", "windows-31j": "cp932", "csshiftjis": "cp932", "x-ms-cp932": "cp932",
    "windows-874": "cp874", "tis-620": "cp874", "iso-8859-11": "cp874", "x-windows-874": "cp874",
    "big5": "big5hkscs", "x-x-big5": "big5hkscs", "cn-big5": "big5hkscs",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "iso_8859-1": "cp1252", "iso8859-1": "cp1252", "iso-8859-9": "cp1254", "latin5": "cp1254",
    "utf8": "utf-8", "uft-8": "utf-8", "utf-8n": "utf-8", "x-utf-8": "utf-8",
    "cp-1250": "cp1250", "cp-1251": "cp1251", "cp-1252": "cp1252", "win-1251": "cp1251",
    "win-1250": "cp1250", "x-cp1251": "cp1251", "x-cp1250": "cp1250",
    "us-ascii": "ascii", "ascii": "ascii", "ansi_x3.4-1968": "ascii", "us": "ascii",
}
# Declarations that mean "no idea": decoded as if nothing was declared.
_NO_CHARSET = {"", "unknown-8bit", "x-unknown", "unknown", "x-user-defined", "default", "8bit",
               "7bit", "binary", "none", "charset", "auto"}
# Codecs that are not a reading of text: they would interpret backslashes or always fail.
_REFUSED = {"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode", "charmap"}
# Charsets whose senders often write a bigger relative: try those when the first fails.
# (UTF-8 is tried before these: it is the most common mislabelling of all.)
_RELATIVES = {
    "iso2022_jp": ("cp932", "euc_jp", "iso2022_jp_2"), "euc_jp": ("cp932",),
    "cp932": ("euc_jp",), "gb18030": ("big5hkscs",), "big5hkscs": ("gb18030",),
    "iso8859-15": ("cp1252",),
}
# Single-byte charsets that never fail: bytes that are valid UTF-8 are UTF-8 mislabelled.
_SINGLE_BYTE_WESTERN = {"ascii", "cp1252", "iso8859-15", "latin-1", "iso8859-1"}
# Codecs that write text as 7-bit bytes (or bytes that may all look like ASCII).
_SEVEN_BIT_CODECS = ("iso2022", "utf-7", "utf-16", "utf-32", "hz")
_LEADING_NAME = re.compile(
    r"(utf-?8|us-ascii|iso-?8859-\d{1,2}|windows-12\d\d|cp12\d\d|koi8-[ru]|gb18030|gbk|gb2312|"
    r"big5|shift_jis|euc-jp|euc-kr|iso-2022-jp)"
)


def resolve_charset(declared: str | None) -> tuple[str | None, str | None]:
    """A declared charset name -> (Python codec name or None, a note when the name was bad)."""
    if declared is None:
        return None, None
    name = str(declared).strip().strip("\"';").strip().lower()
    if name in _NO_CHARSET:
        return None, None
    codec = _codec(name)
    if codec:
        return codec, None
    # Garbage around a real name: "charset=us-ascii", "=3Dutf-8" (quoted-printable), "utf-8utf-8".
    cleaned = name.rsplit("charset=", 1)[-1].removeprefix("3d").strip("\"'= ")
    found = _LEADING_NAME.match(cleaned) or _LEADING_NAME.search(name)
    codec = _codec(found.group(1) if found else cleaned)
    if codec:
        return codec, f"charset {declared!r} not recognised; read as {codec}"
    return None, f"unknown charset {declared!r}"


def _codec(name: str) -> str | None:
    name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED:
        return None
    return info.name


def decode_payload(part: Message) -> tuple[str, str | None]:
    """Decode a text part; returns the text and a defect note when the charset was wrong."""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        data = b""
    return decode_bytes(data, part_charset(part))


def part_charset(part: Message) -> str | None:
    try:
        value = part.get_param("charset")
    except Exception:  # noqa: BLE001 - a header so broken it cannot be read declares nothing
        return None
    if isinstance(value, tuple):  # RFC 2231 form
        value = value[2]
    return str(value) if value else None


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """Bytes in a declared charset -> (text, note). Falls back, never raises, never drops text."""
    codec, note = resolve_charset(declared)
    if data.isascii() and not (codec and codec.startswith(_SEVEN_BIT_CODECS)):
        return data.decode("ascii"), note
    if codec and codec.startswith(("utf-16", "utf-32")) and b"\x00" not in data:
        codec, note = None, f"declared {declared!r} but the bytes are not {codec}"
        if data.isascii():
            return data.decode("ascii"), note
    if codec in _SINGLE_BYTE_WESTERN:
        text = _strict(data, "utf-8")
        if text is not None:
            return text, f"declared {declared!r} but the bytes are UTF-8; read as utf-8"
        if codec == "ascii":
            codec, note = None, f"declared {declared!r} but the bytes are 8-bit"
    if codec:
        text = _strict(data, codec)
        if text is not None:
            return text, note
        for relative in dict.fromkeys(("utf-8", *_RELATIVES.get(codec, ()))):
            text = _strict(data, relative) if relative != codec else None
            if text is not None:
                return text, f"bytes are not {declared!r}; read as {relative}"
    else:
        text = _strict(data, "utf-8")
        if text is not None:
            return text, note
    what = note or (f"declared {declared!r}" if declared else "no charset declared")
    if _mostly_utf8(data):
        # UTF-8 with some bytes of an old charset pasted in (seen in forwarded mail).
        text = data.decode("utf-8", "intake-cp1252")
        return text, f"{what}; mostly UTF-8, the other bytes read as cp1252"
    if codec and codec != "utf-8":
        text = _scrub(data.decode(codec, "replace"))
        return text, f"bytes are not {declared!r}; bad bytes replaced"
    guess = guess_charset(data)
    return _scrub(data.decode(guess, "replace")), f"{what}; decoded as {guess}"


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_HIGH_BYTES = bytes(range(128, 256))


def _mostly_utf8(data: bytes) -> bool:
    """More than half of the 8-bit bytes are in valid UTF-8 sequences."""
    sample = data[: _GUESS_SAMPLE * 8]
    high = len(sample) - len(sample.translate(None, _HIGH_BYTES))
    valid = sum(len(m) for m in _UTF8_SEQUENCE.findall(sample))
    return high > 0 and valid * 2 > high


def _cp1252_for_bad_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(_CP1252_OR_LATIN1[b] for b in bad), exc.end


_CP1252_OR_LATIN1 = [bytes([b]).decode("cp1252", "ignore") or chr(b) for b in range(256)]
codecs.register_error("intake-cp1252", _cp1252_for_bad_bytes)


# Tried in this order when bytes are not UTF-8 and nothing usable is declared; on equal
# plausibility the earlier one wins.
_CANDIDATES = (
    "cp1252", "gb18030", "cp1251", "koi8-r", "cp932", "big5hkscs", "cp949", "euc_jp",
    "cp1250", "iso8859-2", "cp1253", "cp1254", "cp1257", "cp1255", "cp1256", "cp874",
    "mac_cyrillic", "mac_roman",
)
_GUESS_SAMPLE = 8192


def guess_charset(data: bytes, preferred: tuple[str, ...] = ()) -> str:
    """The most plausible charset of bytes that are not UTF-8; windows-1252 when in doubt.

    Each candidate that decodes the bytes is scored by charset-normalizer's mess measure,
    plus signs of a wrong guess that it misses on short header text: words in capitals
    only (KOI8-R read as windows-1251 and the reverse), half-width katakana, and Hangul
    without spaces (Japanese read as Korean).
    """
    sample = data[:_GUESS_SAMPLE]
    best: tuple[float, str] | None = None
    related = [r for c in preferred for r in (c, *_RELATIVES.get(c, ()))]
    for rank, codec in enumerate(dict.fromkeys(c for c in (*related, *_CANDIDATES) if c)):
        text = _strict_prefix(sample, codec)
        if text is None:
            continue
        score = _implausibility(text) + rank * 0.001
        if best is None or score < best[0]:
            best = (score, codec)
    return best[1] if best else "cp1252"


def _strict_prefix(data: bytes, codec: str) -> str | None:
    """Strict decoding, allowing a character cut off at the end of a sample."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        if len(data) < _GUESS_SAMPLE or exc.start < len(data) - 4:
            return None
        return _strict(data[: exc.start], codec)
    except LookupError:
        return None


def _implausibility(text: str) -> float:
    from charset_normalizer.md import mess_ratio

    try:
        score = float(mess_ratio(text, 1.0))
    except Exception:  # noqa: BLE001 - a scorer failure must not stop decoding
        score = 0.0
    upper = lower = odd = 0
    for ch in text:
        if ch < "\x80":
            continue
        if ch.isupper():
            upper += 1
        elif ch.islower():
            lower += 1
        elif "\uff61" <= ch <= "\uff9f" or "\x80" <= ch <= "\x9f" or ch == "\ufffd":
            odd += 1
    total = upper + lower + odd
    if total:
        score += 0.5 * odd / total
        if upper > lower:
            score += 0.3 * upper / total
    runs = _HANGUL_RUN.findall(text)
    if runs and sum(map(len, runs)) / len(runs) > 6:
        score += 0.3  # Korean puts spaces between words; Shift_JIS read as cp949 does not
    return score


_HANGUL_RUN = re.compile("[\uac00-\ud7a3]+")


def _strict(data: bytes, codec: str) -> str | None:
    try:
        text = data.decode(codec)
    except (UnicodeError, LookupError, ValueError):
        return None
    return _scrub(text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _scrub(text: str) -> str:
    """Lone surrogates (some codecs make them) become U+FFFD, so the text encodes as UTF-8."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


# --- header text: raw 8-bit bytes and RFC 2047 encoded words ------------------------------

_ENCODED_WORD = re.compile(r"=\?([^?\s]+?)\?([bBqQ])\?([^?]*?)\?=")
_WHITESPACE = re.compile(r"[ \t\r\n]+")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def has_raw_bytes(value: str) -> bool:
    """True when a header string carries raw 8-bit bytes as surrogate escapes."""
    return not value.isascii() and any("\udc80" <= ch <= "\udcff" for ch in value)


def raw_bytes_to_text(value: str, charset: Callable[[], str | None]) -> str:
    """8-bit header bytes (surrogate escapes) -> text: UTF-8 if valid, else the mail's charset."""
    if not has_raw_bytes(value):
        return value
    data = value.encode("utf-8", "surrogateescape")
    text = _strict(data, "utf-8")
    if text is not None:
        return text
    text, _ = decode_bytes(data, charset() or None)
    return text


def decode_words(value: str, problems: list[str] | None = None) -> str:
    """Decode RFC 2047 encoded words (Q and B, any charset); plain words stay as they are.

    Whitespace between two encoded words is dropped (RFC 2047 6.2), adjacent words in one
    charset are joined before decoding so that a character split over two words survives,
    and a word that cannot be decoded stays as written.
    """
    value = _FOLD.sub("", value)
    if "=?" not in value:
        return value
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset = ""
    last_end = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            text, note = decode_bytes(b"".join(pending), pending_charset)
            if note and problems is not None:
                problems.append(f"header: {note}")
            out.append(text)
        pending, pending_charset = [], ""

    for match in _ENCODED_WORD.finditer(value):
        between = value[last_end : match.start()]
        charset = match.group(1).split("*", 1)[0]  # "utf-8*en": RFC 2231 language dropped
        data = _word_bytes(match.group(2), match.group(3), charset)
        if data is None:
            continue  # not decodable: left in place as plain text
        if between and (not pending or between.strip(" \t\r\n")):
            flush()
            out.append(between)
        if pending and charset.lower() != pending_charset.lower():
            flush()
        pending_charset = charset
        pending.append(data)
        last_end = match.end()
    flush()
    out.append(value[last_end:])
    return "".join(out)


def _word_bytes(encoding: str, text: str, charset: str) -> bytes | None:
    if encoding in "qQ":
        text = text.replace("_", " ")
        if text.isascii():
            return binascii.a2b_qp(text.encode("ascii"))
        # Raw 8-bit bytes inside a Q word, already read as text: back to the word's charset.
        data = text.encode(_codec(charset.lower()) or "utf-8", "replace")
        return binascii.a2b_qp(data)
    data = text.strip().encode("ascii", "replace")
    data += b"=" * (-len(data) % 4)
    try:
        return base64.b64decode(data)
    except (binascii.Error, ValueError):
        try:
            return base64.b64decode(data.rstrip(b"="), validate=False)
        except (binascii.Error, ValueError):
            return None


def clean_line(value: str) -> str:
    """One line, no control characters, runs of blanks collapsed; always valid UTF-8."""
    value = _WHITESPACE.sub(" ", value)
    value = _scrub(value.replace("\x00", ""))
    if not value.isascii() or not value.isprintable():
        value = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", value)
    return value.strip()


# --- types and extensions ------------------------------------------------------------------

_EXTENSIONS = {
    "text/plain": ".txt", "text/html": ".html", "image/jpeg": ".jpg", "image/jpg": ".jpg",
    "image/pjpeg": ".jpg", "application/octet-stream": ".bin", "text/rfc822-headers": ".txt",
    "message/rfc822": ".eml", "message/global": ".eml", "application/ms-tnef": ".dat",
    "application/vnd.ms-tnef": ".dat",
}
_mime_types: mimetypes.MimeTypes | None = None


def _known_types() -> mimetypes.MimeTypes:
    """Python's built-in type table only, so names do not depend on the machine's mime.types."""
    global _mime_types
    if _mime_types is None:
        _mime_types = mimetypes.MimeTypes()
    return _mime_types


def extension_for(content_type: str) -> str:
    if content_type in _EXTENSIONS:
        return _EXTENSIONS[content_type]
    if content_type.startswith(("message/", "text/")):
        return ".txt"
    return _known_types().guess_extension(content_type) or ".bin"


def guess_type(name: str) -> str:
    return _known_types().guess_type(name)[0] or "application/octet-stream"


# --- uuencoded blocks inside a text body ---------------------------------------------------

_UU_BEGIN = re.compile(r"^begin [0-7]{3,4} (\S[^\r\n]*)$")


def split_uuencoded(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """``begin 644 name`` ... ``end`` blocks taken out of a text: (text left, [(name, data)])."""
    if "begin " not in text:
        return text, []
    lines = text.split("\n")
    kept: list[str] = []
    found: list[tuple[str, bytes]] = []
    i = 0
    while i < len(lines):
        start = _UU_BEGIN.match(lines[i].rstrip("\r"))
        end = _uu_end(lines, i + 1) if start else None
        if start is None or end is None:
            kept.append(lines[i])
            i += 1
            continue
        data = b"".join(_uu_line(line.rstrip("\r")) for line in lines[i + 1 : end])
        found.append((start.group(1).strip(), data))
        i = end + 1
    return "\n".join(kept), found


def _uu_end(lines: list[str], start: int) -> int | None:
    for j in range(start, len(lines)):
        line = lines[j].rstrip("\r ")
        if line == "end":
            return j
        if line and not (32 <= ord(line[0]) <= 96):
            return None  # not a uuencoded line: this was no uuencoded block
    return None


def _uu_line(line: str) -> bytes:
    if not line or line in ("`", " "):
        return b""
    try:
        return binascii.a2b_uu(line)
    except (binascii.Error, ValueError):
        # Some encoders pad wrongly; read only as many characters as the length byte says.
        count = (((ord(line[0]) - 32) & 63) * 4 + 5) // 3
        try:
            return binascii.a2b_uu(line[:count])
        except (binascii.Error, ValueError):
            return b""


# --- HTML to text --------------------------------------------------------------------------

_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>")
_VOID = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    }
)
# An HTML5 tree builder does work proportional to the nesting depth for each new element,
# so thousands of nested elements cost quadratic time. Past this depth we strip tags instead.
_MAX_HTML_DEPTH = 1500
_DEPTH_CHECK_FROM = 40_000


def html_to_text(html: str) -> str:
    """Readable text from HTML: block elements become line breaks, scripts and styles vanish."""
    if len(html) > _DEPTH_CHECK_FROM and _nesting_depth(html) > _MAX_HTML_DEPTH:
        return _tidy(_strip_tags(html))
    tree = HTMLParser(html)
    for node in tree.css("script, style, head, title"):
        node.decompose()
    for node in tree.css(", ".join(_BLOCK_TAGS)):
        node.insert_before("\n")
    body = tree.body or tree.root
    text = body.text(separator="", deep=True) if body is not None else ""
    return _tidy(text)


def _nesting_depth(html: str) -> int:
    depth = deepest = 0
    for match in _TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _VOID:
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _strip_tags(html: str) -> str:
    html = re.sub(r"(?i)<(?:br|/?p|/?div|/?li|/?tr|/?h\d|/?blockquote)\b[^>]{0,2000}>", "\n", html)
    html = re.sub(r"<[^<>]{0,10000}>", "", html)
    return html_lib.unescape(html)


def _tidy(text: str) -> str:
    text = _scrub(text).replace("\xa0", " ").replace("\r", "")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n\s*\n\s*\n+", "\n\n", text)
    return "\n".join(line.strip() for line in text.splitlines()).strip()
