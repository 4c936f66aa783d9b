"""Conversations kept in the browser: listed newest first, renamable, deletable, reopened after a reload.

The store is the value of a gr.BrowserState (the browser's localStorage), so each browser
keeps its own conversations and the server keeps none. Pure functions from one store value
to the next: {"conversations": [{"id", "title", "updated", "turns"}]}. A value that is not
such a store (another app's, an older shape) reads as empty rather than failing the window.
Stored size is bounded: the oldest conversations go first when the store would outgrow
what localStorage holds.
"""

from __future__ import annotations

import json
import secrets
import time

TITLE_CHARS = 60
# localStorage holds about 5 million characters per site; the store is encrypted and base64-encoded
# (4/3 larger), so its UTF-8 JSON is kept well under that.
MAX_STORE_BYTES = 2_500_000
MAX_CONVERSATIONS = 50
TURN_KEYS = ("question", "answer", "bubble", "sources", "record")


def empty() -> dict:
    return {"conversations": []}


def _is_turn(turn: object) -> bool:
    return isinstance(turn, dict) and isinstance(turn.get("bubble"), str) and "question" in turn


def conversations(store: object) -> list[dict]:
    """The store's well-formed conversations, newest first."""
    items = store.get("conversations") if isinstance(store, dict) else None
    valid = [c for c in items or [] if isinstance(c, dict) and isinstance(c.get("id"), str)
             and isinstance(c.get("turns"), list) and all(map(_is_turn, c["turns"]))]
    return sorted(valid, key=lambda c: c.get("updated", 0), reverse=True)


def title_of(turns: list[dict]) -> str:
    """A conversation's default title: its first question, shortened."""
    first = next((t["question"] for t in turns if t.get("question")), "") or "Conversation"
    first = " ".join(first.split())
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"


def new_id() -> str:
    return secrets.token_hex(8)


def save(store: object, conversation_id: str, turns: list[dict]) -> dict:
    """The store with this conversation's turns saved (added first when new), trimmed to fit."""
    items = conversations(store)
    found = next((c for c in items if c["id"] == conversation_id), None)
    kept = [{k: t[k] for k in TURN_KEYS if k in t} for t in turns]
    if found is None:
        found = {"id": conversation_id, "title": title_of(turns)}
        items.insert(0, found)
    found.update(turns=kept, updated=time.time())
    return _fit({"conversations": conversations({"conversations": items})})


def _fit(store: dict) -> dict:
    """Drop the oldest conversations until the store fits (see MAX_STORE_BYTES, MAX_CONVERSATIONS)."""
    items = store["conversations"][:MAX_CONVERSATIONS]
    while len(items) > 1 and len(json.dumps(items, ensure_ascii=False).encode("utf-8")) > MAX_STORE_BYTES:
        items.pop()
    return {"conversations": items}


def find(store: object, conversation_id: str) -> dict | None:
    return next((c for c in conversations(store) if c["id"] == conversation_id), None)


def rename(store: object, conversation_id: str, title: str) -> dict:
    """The store with the conversation renamed (a blank name gives back its first question)."""
    items = conversations(store)
    for c in items:
        if c["id"] == conversation_id:
            name = " ".join((title or "").split())[:TITLE_CHARS]
            c["title"] = name or title_of(c["turns"])
    return {"conversations": items}


def delete(store: object, conversation_id: str) -> dict:
    return {"conversations": [c for c in conversations(store) if c["id"] != conversation_id]}


def choices(store: object) -> list[tuple[str, str]]:
    """Dropdown choices, newest first: "title · date, n questions" → id."""
    out = []
    for c in conversations(store):
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(c.get("updated", 0)))
        asked = sum(1 for t in c["turns"] if t.get("question"))
        out.append((f"{c.get('title') or title_of(c['turns'])} · {when}, {asked} question{'s' * (asked != 1)}",
                    c["id"]))
    return out
