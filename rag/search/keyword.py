"""Keyword index: language-aware tokens and BM25, persisted beside the Chroma store.

bm25s does the scoring and persistence; the tokenizer is ours because no library
handles English, Danish, Arabic and Chinese text the same way in one pass:
jieba segments Chinese, Snowball stems English, Danish and Arabic (an English word also
gets its simplemma lemma's stem, so "fell" meets "fall"), Arabic letter forms and digits
are normalised, and numbers and dotted names stay whole.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import bm25s
import jieba
import numpy as np
import Stemmer

from rag.search.bridge import arabic_bridge, chinese_bridge, latin_bridge
from rag.text import ARABIC, ARABIC_PREFIX, HAN, PRONOUNS, fold, is_arabic, is_han

# Each passage's tokens, kept for the next build; the name changes when tokens change meaning
# (v2: gloss tokens added; v3: more function words dropped; v4: English lemmas, CC-CEDICT names),
# so an index built before re-tokenizes instead of mixing kinds.
TOKENS_FILE = "tokens-v4.json"
COMMON_NAME_SHARE = 0.3  # a name in this share of the passages (the company itself) is no topic of its own

jieba.setLogLevel(60)  # jieba prints its dictionary loading to stderr otherwise
logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG

# One token: a number with thousands groups, a Latin word (dots/hyphens inside kept),
# an Arabic word, or a run of Han characters (segmented further by jieba).
_TOKEN = re.compile(
    r"\d+(?:[.,]\d{3})+(?![\d])|\d+(?:[.,]\d+)?"
    rf"|[^\W\d_{ARABIC}{HAN}]+(?:[.\-'’][^\W\d_{ARABIC}{HAN}]+)*"
    r"|[\u0621-\u064a\u066e-\u06d3]+"
    rf"|[{HAN}]+"
)

STOPWORDS = frozenset(
    """a an the of to in on at for and or is are was were be been by with from as that this it its
    what who whom which when where why how did do does has have had many much about his her their
    og i på at er en et den det de der som til af for med har var ikke fra han hun hvad hvem hvor
    hvordan hvilke hvilken hvilket hvornår længe mange om hed hedder
    would will could should can may might must shall also into than then there these those they them
    he she we you your our my me not no so if but all any some such only very just being
    vil kan skal blev være været havde haft sig sin sit sine hans hendes deres også men eller når hvis så
    في من على الى إلى عن ان أن التي الذي هذه هذا ما ماذا كم من هل مع كان متى أين كيف لماذا أي
    的 了 是 在 和 也 都 就 把 被 与 及 吗 呢 什么 多少 谁 哪 怎么 为什么
    多久 多长 多长时间 几 哪里 哪儿 哪个 哪些 哪家 哪位 如何 何时 什么时候 为何 叫 名字 名称""".split()
) | PRONOUNS  # "them" or "hun" point back to a topic; they are not words to look for (nor "hed", 叫 名字: "called")


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


def _number(token: str) -> str:
    """7,800 / 7.800 / 7800 are one number; 3.5 stays a decimal."""
    return re.sub(r"[.,](?=\d{3}(?:\D|$))", "", token)


@lru_cache(maxsize=65536)
def _stems(part: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    """A word's stems, and in English its lemma's stem too: Snowball leaves "fell" and "sent" as they
    are, and the question says "fall" and "send" (simplemma's bundled tables know irregular forms)."""
    stems = [_stemmer(lang).stemWord(part) for lang in languages]
    if "english" in languages:
        stems.append(_stemmer("english").stemWord(_english_lemma(part)))
    return tuple(dict.fromkeys(stems))


def _english_lemma(word: str) -> str:
    """The word's dictionary form (imported on first use: the tables load in a fraction of a second)."""
    import simplemma

    return simplemma.lemmatize(word, lang="en")


def _latin(word: str, languages: tuple[str, ...]) -> list[str]:
    lower = word.casefold()
    parts = [lower] + (re.split(r"[.\-'’]", lower) if re.search(r"[.\-'’]", lower) else [])
    out = []
    for part in parts:
        if part in STOPWORDS or len(part) < 2:
            continue
        out.extend(_stems(part, languages))
    out = list(dict.fromkeys(out))
    return out + latin_bridge(word) if out else []


def _arabic(word: str) -> list[str]:
    bare = ARABIC_PREFIX.sub("", word)
    if word in STOPWORDS or bare in STOPWORDS or len(bare) < 2:
        return []
    return list(dict.fromkeys([bare, _stemmer("arabic").stemWord(word), *arabic_bridge(word)]))


def _chinese(run: str, query: bool) -> list[list[str]]:
    groups = []
    for word in jieba.cut(run):
        if not word.strip() or word in STOPWORDS:
            continue
        parts = [] if query or len(word) < 3 else [w for w in jieba.cut_for_search(word) if w != word]
        glosses = [_stemmer("english").stemWord(g) for g in chinese_bridge(word)]
        groups.append(list(dict.fromkeys([word, *parts, *glosses])))
    return groups


def terms(text: str, language: str = "und", *, query: bool = False) -> list[list[str]]:
    """The text's words, each as a group of interchangeable tokens.

    A group holds the word's stems and its cross-lingual bridge tokens (pinyin and
    English glosses of Chinese words, consonant skeletons of names and Arabic words),
    so a question in one language can meet a passage in another. A query is stemmed
    both as English and as Danish, a passage as its own language.
    """
    latin_langs = ("english", "danish") if query else ("danish",) if language == "da" else ("english",)
    groups: list[list[str]] = []
    for match in _TOKEN.finditer(fold(text)):
        token = match.group()
        if token[0].isdigit():
            groups.append([_number(token)])
        elif is_arabic(token[0]):
            groups.append(_arabic(token))
        elif is_han(token[0]):
            groups.extend(_chinese(token, query))
        else:
            groups.append(_latin(token, latin_langs))
    return [g for g in groups if g]


def tokenize(text: str, language: str = "und", *, query: bool = False) -> list[str]:
    """Every token of every word group, for BM25."""
    return [token for group in terms(text, language, query=query) for token in group]


@dataclass
class KeywordIndex:
    """BM25 over passages, with the passage ids in the same order as the BM25 corpus."""

    bm25: bm25s.BM25
    ids: list[str]

    @classmethod
    def build(cls, ids: list[str], tokens: list[list[str]]) -> KeywordIndex:
        """BM25 matrices over already-tokenized passages (an empty passage gets a placeholder token)."""
        bm25 = bm25s.BM25()
        bm25.index([t or ["\u2205"] for t in tokens], show_progress=False)
        return cls(bm25=bm25, ids=list(ids))

    def idf(self, token: str) -> float:
        """Inverse document frequency; a token no passage has gets the highest value."""
        df = len(self._holders(token))
        return math.log(1 + (len(self.ids) - df + 0.5) / (df + 0.5))

    def share(self, token: str) -> float:
        """The share of passages that hold the token (0 for a token no passage has)."""
        return len(self._holders(token)) / len(self.ids) if self.ids else 0.0

    def is_rare_name(self, name: str) -> bool:
        """True when a name is a topic of its own: fewer than COMMON_NAME_SHARE of the passages hold it
        (Devi Parikh, Google), unlike the company every article is about (Meta)."""
        first = tokenize(name, query=True)[:1]
        return bool(first) and self.share(first[0]) < COMMON_NAME_SHARE

    def hold(self, chunk_ids: list[str], tokens: set[str]) -> np.ndarray:
        """For each passage, whether it has any of the tokens (one binary search per token for all of them)."""
        positions = np.array([self._positions.get(cid, -1) for cid in chunk_ids], dtype=np.int64)
        found = np.zeros(len(chunk_ids), dtype=bool)
        for token in tokens:
            holders = self._holders(token)
            if len(holders):
                at = np.minimum(np.searchsorted(holders, positions), len(holders) - 1)
                found |= holders[at] == positions
        return found

    def _holders(self, token: str) -> np.ndarray:
        """Sorted positions of the passages that have the token (a column of bm25s's CSC matrix)."""
        token_id = self.bm25.vocab_dict.get(token)
        if token_id is None:
            return np.empty(0, dtype=np.int64)
        indptr = self.bm25.scores["indptr"]
        return self.bm25.scores["indices"][indptr[token_id] : indptr[token_id + 1]]

    def search(self, question: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Passage ids with positive BM25 scores, best first, optionally restricted to allowed ids."""
        return self.search_tokens(tokenize(question, query=True), k, allowed)

    def search_tokens(self, tokens: list[str], k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """search() for an already tokenized question (with its translations, say)."""
        query = [t for t in tokens if t in self.bm25.vocab_dict]
        if not query or not self.ids:
            return []
        scores = self.bm25.get_scores(query)
        if allowed is not None:
            keep = np.zeros(len(scores), dtype=bool)
            keep[[self._positions[i] for i in allowed if i in self._positions]] = True
            scores = np.where(keep, scores, 0.0)
        best = np.flatnonzero(scores > 0)
        if len(best) > k:  # partial sort: a full sort of 100k scores per query is the slow part
            best = best[np.argpartition(-scores[best], k - 1)[:k]]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in best]

    @cached_property
    def _positions(self) -> dict[str, int]:
        return {chunk_id: i for i, chunk_id in enumerate(self.ids)}

    def save(self, folder: Path) -> None:
        """Write the BM25 matrices and the id list into folder."""
        folder.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(folder))
        (folder / "ids.json").write_text(json.dumps(self.ids, ensure_ascii=False), encoding="utf-8")

    @staticmethod
    def save_tokens(folder: Path, tokens: dict[str, list[str]]) -> None:
        """Keep each passage's tokens so the next build tokenizes only new passages."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / TOKENS_FILE).write_text(json.dumps(tokens, ensure_ascii=False), encoding="utf-8")

    @staticmethod
    def load_tokens(folder: Path | None) -> dict[str, list[str]]:
        """Tokens saved by the previous build, or nothing."""
        path = folder / TOKENS_FILE if folder else None
        return json.loads(path.read_text(encoding="utf-8")) if path and path.exists() else {}

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        """Read an index written by save."""
        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        return cls(bm25=bm25s.BM25.load(str(folder)), ids=ids)
