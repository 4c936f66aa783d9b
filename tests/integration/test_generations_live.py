"""Generations with the real model: `rag.ask` in a long-running process after `rag index` in another,
and the window answering questions while its index is rebuilt."""

from __future__ import annotations

import shutil

import rag
from rag.ui.handlers import Handlers
from rag.ui.session import AssistantHolder
from tests.conftest import copy_corpus, make_settings
from tests.integration.test_cli_eval import rag_cli
from tests.integration.test_hardening import cli_env

PROBABILITY = "How many people were on the Probability team?"
PROBABILITY_ARTICLE = "000_e4361c01c8850e8e.txt"
EDITED = "001_11aa8dc79ed4b7a5.txt"
NEW_FACT = "The zeppelin division of Meta employs 4321 balloon pilots in Aarhus.\n"
NEW_QUESTION = "How many balloon pilots does the zeppelin division employ?"


def own_index(settings, tmp_path):
    """A writable corpus and a copy of the session's index of it."""
    mine = make_settings(tmp_path, copy_corpus(tmp_path))
    shutil.copytree(settings.index_dir, mine.index_dir)
    return mine


def test_rag_ask_in_a_long_running_process_follows_rag_index_run_by_another(settings, tmp_path):
    mine = own_index(settings, tmp_path)
    assert [c.source for c in rag.ask(PROBABILITY, settings=mine).citations] == [PROBABILITY_ARTICLE]
    (mine.corpus_dir / EDITED).write_text(NEW_FACT, encoding="utf-8")
    (mine.corpus_dir / PROBABILITY_ARTICLE).unlink()
    indexed = rag_cli("index", env=cli_env(mine.index_dir, mine.corpus_dir))
    assert indexed.returncode == 0, indexed.stderr

    gone = rag.ask(PROBABILITY, settings=mine)
    assert all(p.text and p.source != PROBABILITY_ARTICLE for p in gone.passages)
    assert all((mine.corpus_dir / c.source).is_file() for c in gone.citations)
    edited = rag.ask(NEW_QUESTION, settings=mine)
    assert [c.source for c in edited.citations] == [EDITED] and "4321" in edited.text


def test_the_window_answers_from_the_previous_generation_while_the_index_is_rebuilt(settings, tmp_path):
    mine = own_index(settings, tmp_path)
    holder = AssistantHolder(mine)
    handlers = Handlers(mine, holder, admin=True)
    answered = []

    def ask_while_embedding(_: float, message: str) -> None:
        if message.startswith("embedded"):
            answered.append(handlers.ask(PROBABILITY))

    report = holder.reindex(rebuild=True, progress=ask_while_embedding)
    assert report.embedded == report.chunks > 0
    assert answered and all(a["citations"] and a["citations"][0]["source"] == PROBABILITY_ARTICLE
                            for a in answered)
    assert handlers.ask(PROBABILITY)["citations"]
