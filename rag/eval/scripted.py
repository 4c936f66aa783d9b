"""Scripted chat models for the eval: a perfect one (the oracle) and a confident liar.

They stand in for a real chat model where none can run (no API, no hub), so the checker
on the model's path is measured on what a strong model and a lying one would write:
- the oracle answers each eval question from its gold answer and the article sentence that
  holds it, as a plain claim in the question's language citing the passage the sentence is
  in, or NOT FOUND when the question is unanswerable or no shown passage holds the answer;
- the liar answers every question with a figure or a name that the sentence it cites does
  not hold, citing a real sentence of a retrieved passage (the answering one when shown).
Both read the prompts the assistant sends (rag/prompts/), and rewrite a follow-up as the
eval's `standalone` line says (the turn itself when it has none).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.answer.generate import NOT_FOUND
from rag.components import prompts
from rag.eval.gold import evidence_sentences
from rag.eval.score import Question
from rag.text import fold, nfc, number_words, script_language, script_of, split_sentences

_HEADER = re.compile(r"^\[(\d+)\] \(from (.+), [^,\n]+\)$", re.M)
_GLOSS_LINE = "\n(English word gloss:"
_QUESTION = re.compile(r"\nQuestion: (.*)\nAnswer:\s*$", re.S)
_FOLLOW_UP = re.compile(r"\nFollow-up question: (.*)\nStandalone question:\s*$", re.S)
_TRANSLATE = re.compile(r"\nQuestion: (.*)\nTranslation:\s*$", re.S)
_FIGURE = re.compile(r"\d+")

# How a claim is said in each question language, and how a list is joined.
CLAIM = {"en": "The answer is {}", "da": "Svaret er {}", "ar": "الإجابة هي {}", "zh": "答案是{}"}
AND = {"en": " and ", "da": " og ", "ar": " و", "zh": "和"}
END = {"zh": "。"}  # a claim's closing mark (". " elsewhere)
SHORT = "Short answer: "
# Names no article holds, in each script, for the liar's wrong names.
MADE_UP_NAMES = {
    "latin": ["Robert Lindqvist", "Helena Markovic", "Jonas Whitfield", "Clara Okonkwo"],
    "ar": ["روبرت ليندكفيست", "هيلينا ماركوفيتش", "يوناس ويتفيلد"],
    "zh": ["罗伯特·林德奎斯特", "海伦娜·马尔科维奇", "约纳斯·惠特菲尔德"],
}
FIGURE_SHIFT = 7  # the liar's figure: the true one times two plus this, never one the sentence holds


@dataclass(frozen=True)
class Shown:
    """One passage of the prompt: its number, article and text."""

    number: int
    source: str
    text: str


def shown_passages(prompt: str) -> list[Shown]:
    """The numbered passages of an answer prompt (rag/prompts/answer.txt), their glosses left out."""
    headers = list(_HEADER.finditer(prompt))
    ends = [h.start() for h in headers[1:]] + [_QUESTION.search(prompt).start() if _QUESTION.search(prompt)
                                               else len(prompt)]
    passages = []
    for header, end in zip(headers, ends):
        text = prompt[header.end() + 1: end].split(_GLOSS_LINE)[0].strip()
        passages.append(Shown(int(header.group(1)), header.group(2), text))
    return passages


def claim(language: str, answer: str, number: int) -> str:
    """One claim in the question's language with its citation marker: "The answer is 50 [2]."."""
    frame = CLAIM.get(language, CLAIM["en"])
    return f"{frame.format(answer)} [{number}]{END.get(language, '.')}"


class ScriptedModel:
    """The chat model's interface (stream, complete) over the eval's gold data."""

    def __init__(self, questions: list[Question], corpus_dir: Path) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.gold: dict[str, Question] = {}
        self.prompts: list[str] = []
        for question in questions:
            for turn in question.turns or [question]:
                self.gold.setdefault(turn.question.strip(), turn)
                if turn.standalone:
                    self.gold.setdefault(turn.standalone.strip(), turn)

    def stream(self, prompt: str, max_tokens: int | None = None) -> Iterator[str]:
        """The whole reply at once (a scripted model has nothing to stream)."""
        self.prompts.append(prompt)
        yield self.reply(prompt)

    def complete(self, prompt: str, max_tokens: int | None = None) -> str:
        return "".join(self.stream(prompt, max_tokens)).strip()

    def reply(self, prompt: str) -> str:
        """A follow-up's rewrite, a translation (the question as it is), or an answer."""
        if prompt.startswith(_prefix("condense")):
            asked = _FOLLOW_UP.search(prompt).group(1).strip()
            turn = self.gold.get(asked)
            return turn.standalone if turn is not None and turn.standalone else asked
        if prompt.startswith(_prefix("translate")):
            return _TRANSLATE.search(prompt).group(1).strip()
        question = _QUESTION.search(prompt).group(1).strip()
        return self.answer(self.gold.get(question), question, shown_passages(prompt))

    def answer(self, gold: Question | None, question: str, passages: list[Shown]) -> str:
        raise NotImplementedError

    def evidence(self, gold: Question) -> list[str]:
        """The gold sentences: the line's own, else the first sentence of its articles holding each answer."""
        return gold.evidence or evidence_sentences(gold.answer_contains, gold.sources, self.corpus_dir)


def _prefix(name: str) -> str:
    """The fixed opening of a prompt template, which tells the scripted models which prompt they read."""
    return prompts.template(name).split("{", 1)[0]


def _holds(text: str, spelling: str) -> bool:
    return fold(spelling).casefold() in fold(text).casefold()


class Oracle(ScriptedModel):
    """A perfect model: the gold answer, said in the question's language, citing the passage that holds it."""

    def answer(self, gold: Question | None, question: str, passages: list[Shown]) -> str:
        if gold is None or not gold.answerable:
            return NOT_FOUND
        found: dict[tuple[int, str], list[str]] = {}
        for entry in gold.answer_contains:
            place = self._place(entry, gold, passages)
            if place is not None:
                found.setdefault(place, []).append(self._spelling(entry, place[1], gold.language))
        if not found:
            return NOT_FOUND
        joiner = AND.get(gold.language, AND["en"])
        claims = [claim(gold.language, joiner.join(answers), number) for (number, _), answers in found.items()]
        everything = joiner.join(a for answers in found.values() for a in answers)
        return f"{SHORT}{everything}\n" + " ".join(claims)

    def _place(self, entry: str, gold: Question, passages: list[Shown]) -> tuple[int, str] | None:
        """(passage number, sentence) where the answer entry is read: a gold sentence in a shown passage,
        else any sentence of a shown gold-article passage that holds one of its spellings."""
        spellings = [s for s in entry.split("|") if s.strip()]
        for sentence in self.evidence(gold):
            if any(_holds(sentence, s) for s in spellings):
                for passage in passages:
                    if nfc(sentence) in nfc(passage.text):
                        return passage.number, sentence
        for passage in passages:
            if passage.source in gold.sources and any(_holds(passage.text, s) for s in spellings):
                return passage.number, self._sentence_holding(passage.text, spellings)
        return None

    @staticmethod
    def _sentence_holding(text: str, spellings: list[str]) -> str:
        """The sentence of the text holding a spelling, or where one starts ("Frederick W." | "Mote wrote")."""
        sentences = [s.strip() for s in split_sentences(text) if s.strip()]
        for spelling in spellings:
            for sentence in sentences:
                if _holds(sentence, spelling) or _holds(sentence, spelling.split()[0]):
                    return sentence
        return sentences[0] if sentences else text

    @staticmethod
    def _spelling(entry: str, sentence: str, language: str) -> str:
        """The answer as the question's language would write it: a spelling in its script (the sentence's
        own when it has one), else the sentence's spelling, else the first."""
        spellings = [s for s in entry.split("|") if s.strip()]
        in_script = [s for s in spellings if script_language(s) in (script_of(language), "und")]
        for options in ([s for s in in_script if _holds(sentence, s)], in_script,
                        [s for s in spellings if _holds(sentence, s)], spellings):
            if options:
                return options[0]
        return entry


class Liar(ScriptedModel):
    """A confident liar: a figure or a name the cited sentence does not hold, citing a real sentence."""

    def answer(self, gold: Question | None, question: str, passages: list[Shown]) -> str:
        if not passages:
            return NOT_FOUND
        language = gold.language if gold is not None else "en"
        number, sentence = self._cited(gold, passages)
        cited = next(p.text for p in passages if p.number == number)
        lie = self._figure(gold, cited) if self._lies_with_figure(gold, question) else self._name(question,
                                                                                                    language)
        return f"{SHORT}{lie}\n{claim(language, lie, number)}"

    def _cited(self, gold: Question | None, passages: list[Shown]) -> tuple[int, str]:
        """The answering sentence when a shown passage holds it, else the first passage's first sentence."""
        for sentence in self.evidence(gold) if gold is not None and gold.answerable else []:
            for passage in passages:
                if nfc(sentence) in nfc(passage.text):
                    return passage.number, sentence
        first = passages[0]
        return first.number, next((s.strip() for s in split_sentences(first.text) if s.strip()), first.text)

    @staticmethod
    def _lies_with_figure(gold: Question | None, question: str) -> bool:
        """A figure for a question whose answer is one, a name for the rest; half and half where unknown."""
        if gold is not None and gold.answerable:
            return gold.type in ("number", "date", "duration") or any(ch.isdigit() for ch in gold.short)
        return _pick(question, 2) == 0

    @staticmethod
    def _figure(gold: Question | None, sentence: str) -> str:
        """A figure the cited passage (sentence) does not hold anywhere, in digits or in words: the true one (or
        the passage's first) doubled plus a shift. The checker quotes whichever sentence of the passage backs a
        claim best, so a figure another sentence of it holds would be no lie about the passage."""
        source = gold.short if gold is not None and _FIGURE.search(gold.short or "") else fold(sentence)
        base = int(_FIGURE.search(source).group()) if _FIGURE.search(source) else 0
        held = set(_FIGURE.findall(fold(sentence).replace(",", "").replace(".", ""))) | number_words(sentence)
        value = base * 2 + FIGURE_SHIFT
        while str(value) in held or str(value) in fold(sentence):
            value += FIGURE_SHIFT
        return str(value)

    @staticmethod
    def _name(question: str, language: str) -> str:
        """A made-up name in the question's script."""
        names = MADE_UP_NAMES[script_of(language)]
        return names[_pick(question, len(names))]


def _pick(text: str, count: int) -> int:
    """A stable choice among count options for this text (the same in every run)."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % count


SCRIPTED_MODELS = {"oracle": Oracle, "liar": Liar}
