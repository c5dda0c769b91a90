"""A citizen's HTML made inert before it reaches an agent's browser (nh3, i.e. ammonia).

Scripts, styles, event handlers, forms and javascript: links go; remote images are replaced by
a short note so no tracking pixel or remote load happens when an agent opens a ticket.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import nh3
from selectolax.lexbor import LexborHTMLParser

TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "*": {"dir", "lang"},
}
# Removed together with what they contain, not just unwrapped.
DROP_WITH_CONTENT = {
    "script",
    "style",
    "title",
    "head",
    "noscript",
    "template",
    "iframe",
    "object",
    "textarea",
}
LINK_SCHEMES = ("http:", "https:", "mailto:")
_INLINE_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]+$", re.IGNORECASE)


def sanitize_mail_html(html: str, *, remote_note: str, inline_note: str) -> str:
    """Mail HTML as a fragment safe to place in our page."""
    marked = _replace_outside_images(html, remote_note, inline_note)
    return nh3.clean(
        marked,
        tags=TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes={"http", "https", "mailto", "data"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    compact = "".join(value.split()).lower()
    if tag == "img" and attribute == "src":
        return value if _INLINE_IMAGE.match(value.strip()) else None
    if tag == "a" and attribute == "href":
        return value if compact.startswith(LINK_SCHEMES) else None
    return value


def _replace_outside_images(html: str, remote_note: str, inline_note: str) -> str:
    """Every <img> that would load from elsewhere becomes a bracketed note in the text."""
    tree = LexborHTMLParser(html)
    images = tree.css("img")
    if not images:
        return html
    for img in images:
        src = (img.attributes.get("src") or "").strip()
        if _INLINE_IMAGE.match(src):
            continue
        if src.lower().startswith("cid:"):
            img.replace_with(f"[{inline_note}]")
        elif src:
            host = urlsplit(src).hostname or "?"
            img.replace_with(f"[{remote_note}: {host}]")
        else:
            img.decompose()
    body = tree.body
    return (body.inner_html or "") if body is not None else ""
