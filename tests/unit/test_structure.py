"""The package's frame: imports flow one way, the core never imports a front end, `import rag` is light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import rag

PACKAGE = Path(rag.__file__).parent
FRONT_ENDS = ("rag.ui", "rag.cli", "rag.eval")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, top_level_only: bool) -> set[str]:
    """rag.* modules a file imports (at module level only, or anywhere)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("rag"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("rag"))
    return found


def _graph(top_level_only: bool) -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path, top_level_only) if m in modules and m != name}
            for name, path in modules.items()}


def test_the_core_never_imports_a_front_end():
    for module, imported in _graph(top_level_only=False).items():
        if module.startswith(FRONT_ENDS) or module == "rag":
            continue
        assert not {m for m in imported if m.startswith(FRONT_ENDS)}, module


def test_no_import_cycle_at_module_level():
    graph = _graph(top_level_only=True)
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in graph.get(module, ()):
            assert state.get(target) != 1, " -> ".join([*path, target])
            if target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [module])


def test_import_rag_loads_no_model_store_or_window():
    code = "import sys, rag; print(sorted(m for m in ('torch','chromadb','gradio','llama_index') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_no_submodule_is_hidden_by_a_function():
    import rag.assistant
    import rag.search.retrieve

    assert rag.search.retrieve.Retriever and rag.assistant.Assistant
    assert callable(rag.retrieve) and callable(rag.ask)


def test_prompts_corpus_and_questions_are_package_data():
    from rag.components import prompts
    from rag.eval.score import QUESTIONS
    from rag.settings import BUNDLED_CORPUS

    assert "NOT FOUND" in prompts.template("answer")
    assert len(list(BUNDLED_CORPUS.glob("*.txt"))) == 5 and QUESTIONS.is_file()
    assert BUNDLED_CORPUS.is_relative_to(PACKAGE) and QUESTIONS.is_relative_to(PACKAGE)
