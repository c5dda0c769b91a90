"""Language of the writer's own text: script checks first, py3langid among plausible languages."""

from __future__ import annotations

import pytest

from intake.classifiers.language import identify
from tests.classifiers.mails import mail, verdict

SAMPLES = {
    "nl": "Goedemorgen, ik wil graag weten wanneer ik mijn nieuwe verblijfskaart kan ophalen.",
    "en": "Good morning, I would like to know when I can come and collect my new residence card.",
    "fr": "Bonjour, je voudrais savoir quand je peux venir chercher ma nouvelle carte de séjour.",
    "de": "Guten Morgen, ich möchte wissen, wann ich meine neue Aufenthaltskarte abholen kann.",
    "es": "Buenos días, quisiera saber cuándo puedo recoger mi nueva tarjeta de residencia.",
    "pt": "Bom dia, gostaria de saber quando posso levantar o meu novo cartão de residência.",
    "pl": "Dzień dobry, chciałbym wiedzieć, kiedy mogę odebrać moją nową kartę pobytu.",
    "ro": "Bună ziua, aș dori să știu când pot ridica noul meu permis de ședere.",
    "tr": "Günaydın, yeni oturma kartımı ne zaman alabileceğimi öğrenmek istiyorum.",
    "uk": "Доброго ранку, я хотіла б дізнатися, коли можу забрати свою нову картку.",
    "ru": "Доброе утро, я хотела бы узнать, когда можно забрать мою новую карту.",
    "ar": "صباح الخير، أريد أن أعرف متى يمكنني استلام بطاقة الإقامة الجديدة.",
    "fa": "صبح بخیر، می‌خواهم بدانم چه زمانی می‌توانم کارت اقامت جدیدم را بگیرم.",
}


@pytest.mark.parametrize(("code", "text"), SAMPLES.items(), ids=list(SAMPLES))
def test_the_language_of_a_short_citizen_text_is_found(code: str, text: str) -> None:
    assert identify(text)[0] == code


def test_ukrainian_and_russian_are_told_apart_by_their_own_letters() -> None:
    assert identify("Я маю тимчасовий захист і картку А.")[0] == "uk"
    assert identify("У меня временная защита и карта А, что делать?")[0] == "ru"


def test_arabic_and_farsi_are_told_apart_by_persian_letters() -> None:
    assert identify("من پناهنده هستم و کارت اقامت می‌خواهم")[0] == "fa"
    assert identify("أنا لاجئ وأريد بطاقة الإقامة")[0] == "ar"


def test_turkish_typed_without_diacritics_on_a_phone_is_turkish() -> None:
    assert identify("merhaba k karta gecmek istiyorum ne yapmam lazim tesekkurler")[0] == "tr"


def test_polish_is_reported_as_polish_although_there_is_no_polish_template() -> None:
    got = verdict(
        mail("Dzień dobry, zgubiłem kartę pobytu. Co mam zrobić?", subject="zgubiona karta")
    )
    assert got.language == "pl"


def test_a_dutch_cover_note_over_a_forwarded_english_message_is_dutch() -> None:
    body = (
        "Beste collega's, hieronder de vraag van een bewoner. Kunnen jullie hem helpen?\n\n"
        "---------- Forwarded message ---------\nFrom: Yared <y@example.net>\nSubject: card\n\n"
        "Hello, I lost my residence card last week and I need a new one as soon as possible "
        "please.\n"
    )
    assert verdict(mail(body, subject="Fwd: card")).language == "nl"


def test_the_quoted_acknowledgement_does_not_decide_the_language() -> None:
    body = (
        "Hello, any news about my file?\n\nOp 3 mrt 2026 om 10:00 heeft Dienst Migratie "
        "<migratie@stad.gent> "
        "het volgende geschreven:\n> Beste, we hebben uw bericht goed ontvangen onder nummer "
        "105170.\n"
        "> Met vriendelijke groeten\n> Dienst Migratie\n"
    )
    assert verdict(mail(body, subject="Re: [GNT-2026-000123] aanvraag")).language == "en"


def test_a_photo_without_subject_or_text_has_no_language() -> None:
    got = verdict(
        mail(
            "", subject="", attachments=[("IMG_0001.jpeg", "image/jpeg", b"\xff\xd8" + b"x" * 500)]
        )
    )
    assert got.language is None
    assert got.send_ack


def test_py3langid_takes_over_when_fasttext_is_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from intake.classifiers import language

    monkeypatch.setattr(language, "_ranker", None)
    monkeypatch.setattr(language, "_backend", language._backend)  # restored after the test
    monkeypatch.setattr(language, "_fasttext", lambda: None)
    dutch = identify(SAMPLES["nl"])
    assert dutch[0] == "nl" and "py3langid" in dutch[1]
    assert "py3langid" in identify(SAMPLES["fr"])[1]
    assert identify(SAMPLES["fr"])[0] == "fr"
    monkeypatch.setattr(language, "_ranker", None)
