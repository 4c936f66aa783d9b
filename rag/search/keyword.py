"""Keyword index: language-aware tokens and BM25, persisted beside the Chroma store.

bm25s does the scoring and persistence; the tokenizer is ours because no library
handles English, Danish, Arabic and Chinese text the same way in one pass:
jieba segments Chinese, Snowball stems English, Danish and Arabic (an English word also
gets its lemmas' stems, so "fell" meets "fall"), Arabic letter forms and digits
are normalised, and numbers and dotted names stay whole.
"""

from __future__ import annotations

import json
import logging
import math
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from rag.language import pack, packs, words
from rag.search.bridge import arabic_bridge, chinese_bridge, han_segmenter, latin_bridge
from rag.text import ARABIC, CLITIC_PREFIX, DEFAULT_LATIN, HAN, PRONOUNS, fold, is_arabic, is_han

# Each passage's tokens, kept for the next build; the name changes when tokens change meaning
# (v2: gloss tokens added; v3: more function words dropped; v4: English lemmas, CC-CEDICT names;
# v5: an English word's lemmas for every part of speech; v6: CC-CEDICT's names as jieba words;
# v7: a possessive name's skeleton, no English function word among a gloss's words),
# so an index built before re-tokenizes instead of mixing kinds. One JSON line per passage, written
# and read a line at a time.
TOKENS_FILE = "tokens-v7.jsonl"
EMPTY_PASSAGE = "\u2205"  # the one token of a passage without words: bm25s needs one per passage
# bm25s's sparse-matrix builder: scipy's converts its score triplets in linear time and about half the
# memory of the numpy one's sort (about 250 MiB instead of 550 at 100k passages); the matrices are the same.
CSC_BACKEND = "scipy"
# Words whose tokens are remembered: a corpus repeats its common words, so a build stems each about once.
WORD_CACHE = 1 << 16
COMMON_NAME_SHARE = 0.3  # a name in this share of the passages (the company itself) is no topic of its own

logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets its own logger to DEBUG

# One token: a number with thousands groups, a Latin word (dots/hyphens inside kept),
# an Arabic word, or a run of Han characters (segmented further by jieba).
_TOKEN = re.compile(
    r"\d+(?:[.,]\d{3})+(?![\d])|\d+(?:[.,]\d+)?"
    rf"|[^\W\d_{ARABIC}{HAN}]+(?:[.\-'’][^\W\d_{ARABIC}{HAN}]+)*"
    r"|[\u0621-\u064a\u066e-\u06d3]+"
    rf"|[{HAN}]+"
)

# Words not looked for: each pack's stop words ("hed", 叫 名字: "called"), and pronouns ("them", "hun" point back
# to a topic).
STOPWORDS = frozenset(words("stop_words")) | PRONOUNS

# PyStemmer's algorithms for Latin words (the packs' stemmer): a passage's are its own language's, or the
# default Latin language's; a query's are every pack's, the default's first, since a question may be in any.
DEFAULT_STEMMER = pack(DEFAULT_LATIN).stemmer
QUERY_STEMMERS = tuple(dict.fromkeys([DEFAULT_STEMMER, *(p.stemmer for p in packs() if p.stemmer)]))


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


def _number(token: str) -> str:
    """7,800 / 7.800 / 7800 are one number; 3.5 stays a decimal."""
    return re.sub(r"[.,](?=\d{3}(?:\D|$))", "", token)


def _stems(part: str, languages: tuple[str, ...]) -> list[str]:
    """A word's stems, and in English its lemmas' stems too: Snowball leaves "fell", "sent" and "left" as
    they are, and the question says "fall", "send" and "leave" (lemminflect's bundled tables know
    irregular forms, for every part of speech the word can be: "left" is also the verb "leave")."""
    stems = [_stemmer(lang).stemWord(part) for lang in languages]
    if "english" in languages:
        stems += [_stemmer("english").stemWord(lemma) for lemma in _english_lemmas(part)]
    return stems


def _english_lemmas(word: str) -> list[str]:
    """The word's dictionary forms (imported on first use: the tables load in a fraction of a second)."""
    import lemminflect

    return sorted({lemma for lemmas in lemminflect.getAllLemmas(word).values() for lemma in lemmas})


@lru_cache(maxsize=WORD_CACHE)
def _latin(word: str, languages: tuple[str, ...]) -> tuple[str, ...]:
    lower = word.casefold()
    parts = [lower] + (re.split(r"[.\-'’]", lower) if re.search(r"[.\-'’]", lower) else [])
    out = []
    for part in parts:
        if part in STOPWORDS or len(part) < 2:
            continue
        out.extend(_stems(part, languages))
    out = list(dict.fromkeys(out))
    return (*out, *latin_bridge(_name_part(word))) if out else ()


def _name_part(word: str) -> str:
    """The name in a word an apostrophe joins to a clitic: "Wang" in "Wang's", "Brien" in "O'Brien"."""
    return max(re.split(r"['’]", word), key=len)


@lru_cache(maxsize=WORD_CACHE)
def _arabic(word: str) -> tuple[str, ...]:
    bare = CLITIC_PREFIX.sub("", word)
    if word in STOPWORDS or bare in STOPWORDS or len(bare) < 2:
        return ()
    return tuple(dict.fromkeys([bare, _stemmer("arabic").stemWord(word), *arabic_bridge(word)]))


def _chinese(run: str, query: bool) -> list[list[str]]:
    groups = []
    segmenter = han_segmenter()
    for word in segmenter.cut(run):
        if not word.strip() or word in STOPWORDS:
            continue
        parts = [] if query or len(word) < 3 else [w for w in segmenter.cut_for_search(word) if w != word]
        glosses = [_stemmer("english").stemWord(g) for g in chinese_bridge(word)]
        groups.append(list(dict.fromkeys([word, *parts, *glosses])))
    return groups


def _passage_stemmers(language: str) -> tuple[str, ...]:
    """The stemmer of a passage's Latin words: its language's, or the default Latin language's (English words
    in an Arabic or Chinese passage, a language without a stemmer)."""
    found = pack(language)
    return (found.stemmer if found and found.stemmer else DEFAULT_STEMMER,)


def terms(text: str, language: str = "und", *, query: bool = False) -> list[list[str]]:
    """The text's words, each as a group of interchangeable tokens.

    A group holds the word's stems and its cross-lingual bridge tokens (pinyin and
    English glosses of Chinese words, consonant skeletons of names and Arabic words),
    so a question in one language can meet a passage in another. A query is stemmed
    both as English and as Danish, a passage as its own language.
    """
    latin_langs = QUERY_STEMMERS if query else _passage_stemmers(language)
    groups: list[list[str]] = []
    for match in _TOKEN.finditer(fold(text)):
        token = match.group()
        if token[0].isdigit():
            groups.append([_number(token)])
        elif is_arabic(token[0]):
            groups.append(list(_arabic(token)))
        elif is_han(token[0]):
            groups.extend(_chinese(token, query))
        else:
            groups.append(list(_latin(token, latin_langs)))
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
        bm25 = bm25s.BM25(csc_backend=CSC_BACKEND)
        bm25.index([t or [EMPTY_PASSAGE] for t in tokens], show_progress=False)
        return cls(bm25=bm25, ids=list(ids))

    @classmethod
    def from_passages(cls, tokens: PassageTokens, ids: list[str]) -> KeywordIndex:
        """build() from a build's compact tokens: bm25s reads one passage's token ids at a time."""
        bm25 = bm25s.BM25(csc_backend=CSC_BACKEND)
        bm25.index(tokens.corpus(ids), show_progress=False)
        return cls(bm25=bm25, ids=list(ids))

    def idf(self, token: str) -> float:
        """Inverse document frequency; a token no passage has gets the highest value."""
        df = len(self._holders(token))
        return math.log(1 + (len(self.ids) - df + 0.5) / (df + 0.5))

    def share(self, token: str) -> float:
        """The share of passages that hold the token (0 for a token no passage has)."""
        return len(self._holders(token)) / len(self.ids) if self.ids else 0.0

    def is_rare_name(self, name: str) -> bool:
        """True when a name is a topic of its own: fewer than COMMON_NAME_SHARE of the passages hold its rarest
        word (Devi Parikh, Google, Meta Superintelligence Labs), unlike the company every article is about
        (Meta, Meta AI)."""
        tokens = tokenize(name, query=True)
        return bool(tokens) and min(self.share(token) for token in tokens) < COMMON_NAME_SHARE

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
    def save_tokens(folder: Path, tokens: Mapping[str, list[str]], ids: Iterable[str]) -> None:
        """Keep the passages' tokens so the next build tokenizes only new passages; a line at a time."""
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / TOKENS_FILE, "w", encoding="utf-8") as out:
            out.writelines(json.dumps([chunk_id, tokens[chunk_id]], ensure_ascii=False) + "\n" for chunk_id in ids)

    @staticmethod
    def load_tokens(folder: Path | None) -> PassageTokens:
        """Tokens saved by a previous build, or none; ValueError when the file is damaged."""
        loaded = PassageTokens()
        if folder is None:
            return loaded
        if (folder / TOKENS_FILE).exists():
            with open(folder / TOKENS_FILE, encoding="utf-8") as lines:
                for line in lines:
                    loaded.add(*_token_line(json.loads(line)))
        return loaded

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        """Read an index written by save."""
        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        return cls(bm25=bm25s.BM25.load(str(folder)), ids=ids)


def _token_line(item: object) -> tuple[str, list[str]]:
    """A saved [passage id, [token, ...]] pair, checked; ValueError when it is not one."""
    if (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], list)
            and all(isinstance(t, str) for t in item[1])):
        return item[0], item[1]
    raise ValueError(f"not a passage and its tokens: {str(item)[:80]}")


class PassageTokens(Mapping[str, list[str]]):
    """Each passage's keyword tokens, held compactly while a build runs.

    Every distinct token is stored once, in a vocabulary; a passage is a span of one flat array of
    4-byte token numbers. As a dict of lists of str, the tokens of 100k passages took about a GiB.
    Reads as a mapping of passage id to its tokens.
    """

    def __init__(self) -> None:
        self._vocab: dict[str, int] = {}  # token -> its number, numbered in order of first sight
        self._words: list[str] = []  # the tokens by number, brought up to date by words()
        self._flat = array("i")
        self._spans: dict[str, tuple[int, int]] = {}

    def add(self, chunk_id: str, tokens: Iterable[str]) -> None:
        """Keep a passage's tokens (they replace any it had)."""
        start, vocab = len(self._flat), self._vocab
        self._flat.extend(vocab.setdefault(token, len(vocab)) for token in tokens)
        self._spans[chunk_id] = (start, len(self._flat))

    def __getitem__(self, chunk_id: str) -> list[str]:
        start, end = self._spans[chunk_id]
        words = self.words()
        return [words[n] for n in self._flat[start:end]]

    def __contains__(self, chunk_id: object) -> bool:
        return chunk_id in self._spans

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def words(self) -> list[str]:
        """The tokens by number (the vocabulary only grows, in insertion order)."""
        if len(self._words) != len(self._vocab):
            self._words = list(self._vocab)
        return self._words

    def restrict(self, keep: Iterable[str]) -> PassageTokens:
        """A copy holding only the passages kept that it has (a rebuild tokenizes the others again)."""
        kept = PassageTokens()
        for chunk_id in keep:
            if chunk_id in self._spans:
                kept.add(chunk_id, self[chunk_id])
        return kept

    def corpus(self, ids: list[str]) -> bm25s.tokenization.Tokenized:
        """The passages of ids, in that order, as bm25s takes them: token numbers and a vocabulary of the
        tokens they use, numbered from 0. The numbers are made a passage at a time as bm25s reads them."""
        flat = np.frombuffer(self._flat, dtype=np.int32) if self._flat else np.empty(0, dtype=np.int32)
        spans = [self._spans[chunk_id] for chunk_id in ids]
        used = np.zeros(len(self._vocab), dtype=bool)
        for start, end in spans:
            used[flat[start:end]] = True
        kept = np.flatnonzero(used)
        column = np.full(len(self._vocab), -1, dtype=np.int32)
        column[kept] = np.arange(len(kept), dtype=np.int32)
        words = self.words()
        vocab = {words[n]: i for i, n in enumerate(kept.tolist())}
        empty = vocab.setdefault(EMPTY_PASSAGE, len(vocab)) if any(s == e for s, e in spans) else -1
        return bm25s.tokenization.Tokenized(ids=_Passages(flat, spans, column, empty), vocab=vocab)


class _Passages:
    """Each passage's token numbers as a list, made when bm25s iterates (it reads the corpus three times)."""

    def __init__(self, flat: np.ndarray, spans: list[tuple[int, int]], column: np.ndarray, empty: int) -> None:
        self._flat, self._spans, self._column, self._empty = flat, spans, column, empty

    def __len__(self) -> int:
        return len(self._spans)

    def __iter__(self) -> Iterator[list[int]]:
        for start, end in self._spans:
            yield self._column[self._flat[start:end]].tolist() if end > start else [self._empty]
