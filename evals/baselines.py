"""Baselines: what a user would otherwise set up, run over the same corpus and questions.

- ``naive_rag``: the LangChain tutorial pipeline: RecursiveCharacterTextSplitter (500 characters,
  overlap 50) over each document's cleaned text, dense-only Chroma top 4, the same LLM with a
  plain prompt.
- ``bm25``: jieba + BM25 (bm25s) over gongkai's own chunks, keyword retrieval only.
- ``dense``: the same embedding model over gongkai's own chunks, vector retrieval only.

Without an LLM (``--llm none``) a baseline answers with its top passage verbatim (extractive),
citing it; with an LLM it answers from its top 4 passages and cites all of them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from evals import metrics as m

TOP_K = 4
CHUNK_SIZE = 500
CHUNK_OVERLAP = 50
PROMPT = (
    "使用以下检索到的内容回答问题。如果不知道答案，就说不知道。回答简洁。\n\n"
    "{context}\n\n问题：{question}\n回答："
)
_DONT_KNOW = re.compile(
    r"不知道|无法回答|无法确定|没有提到|未提及|未提到|没有找到|未找到|没有相关|无相关|not mentioned|don't know",
    re.I,
)


@dataclass
class Passage:
    """A retrievable piece of a document: ``text`` is ``document.text[start:end]``."""

    doc_id: str
    start: int
    end: int
    text: str
    search_text: str = ""

    @property
    def span(self) -> m.Span:
        return (self.doc_id, self.start, self.end)


# -- splitting -----------------------------------------------------------------------------
def split_naive(documents: Sequence[Any]) -> list[Passage]:
    """The tutorial split: RecursiveCharacterTextSplitter(500, 50) with start offsets."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP, add_start_index=True
    )
    out = []
    for doc in documents:
        for piece in splitter.create_documents([doc.text]):
            start = piece.metadata["start_index"]
            if start < 0:  # the splitter could not place it: find it ourselves
                start = doc.text.find(piece.page_content)
            out.append(
                Passage(doc.doc_id, start, start + len(piece.page_content), piece.page_content)
            )
    return out


def gongkai_chunks(store) -> list[Passage]:
    """gongkai's own chunks, indexed by the text gongkai indexes (headings, table context)."""
    return [Passage(c.doc_id, c.start, c.end, c.text, c.search_text()) for c in store.chunks()]


# -- retrievers ----------------------------------------------------------------------------
class ChromaRetriever:
    """Dense top-k from an in-memory Chroma collection through langchain-chroma."""

    def __init__(self, passages: Sequence[Passage], embeddings, name: str = "naive_rag"):
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma
        from langchain_core.documents import Document

        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.passages = list(passages)
        self.store = Chroma(
            collection_name=f"baseline-{name}", embedding_function=embeddings, client=client
        )
        docs = [
            Document(page_content=p.text, metadata={"i": i}) for i, p in enumerate(self.passages)
        ]
        if docs:
            self.store.add_documents(docs, ids=[str(i) for i in range(len(docs))])

    def search(self, question: str, k: int) -> list[Passage]:
        if not self.passages:
            return []
        found = self.store.similarity_search(question, k=min(k, len(self.passages)))
        return [self.passages[d.metadata["i"]] for d in found]


class DenseRetriever:
    """Cosine top-k over embedded passages (numpy, in memory)."""

    def __init__(self, passages: Sequence[Passage], embeddings):
        import numpy as np

        self.passages = list(passages)
        self.embeddings = embeddings
        texts = [p.search_text or p.text for p in self.passages]
        matrix = np.array(embeddings.embed_documents(texts) if texts else [], dtype="float32")
        norms = np.linalg.norm(matrix, axis=1, keepdims=True) if len(matrix) else 1
        self.matrix = matrix / np.maximum(norms, 1e-9)

    def search(self, question: str, k: int) -> list[Passage]:
        import numpy as np

        if not self.passages:
            return []
        query = np.array(self.embeddings.embed_query(question), dtype="float32")
        scores = self.matrix @ (query / max(float(np.linalg.norm(query)), 1e-9))
        return [self.passages[i] for i in np.argsort(-scores)[:k]]


def tokenize(text: str) -> list[str]:
    """jieba words without spaces and punctuation, lower-cased."""
    import jieba

    return [t.lower() for t in jieba.lcut(text) if re.search(r"\w", t)]


class BM25Retriever:
    """jieba + bm25s keyword top-k."""

    def __init__(self, passages: Sequence[Passage]):
        import bm25s
        import jieba

        jieba.setLogLevel(60)
        self.passages = list(passages)
        self.index = bm25s.BM25()
        if self.passages:
            self.index.index(
                [tokenize(p.search_text or p.text) for p in self.passages], show_progress=False
            )

    def search(self, question: str, k: int) -> list[Passage]:
        terms = [t for t in tokenize(question) if t in getattr(self.index, "vocab_dict", {})]
        if not self.passages or not terms:
            return []
        ids, scores = self.index.retrieve(
            [terms], k=min(k, len(self.passages)), show_progress=False
        )
        return [self.passages[int(i)] for i, s in zip(ids[0], scores[0], strict=True) if s > 0]


# -- the baseline system -------------------------------------------------------------------
class Baseline:
    """A retriever plus the tutorial's answer step (extractive without an LLM)."""

    def __init__(self, name: str, retriever, documents: Sequence[Any], chat=None, k: int = TOP_K):
        self.name = name
        self.retriever = retriever
        self.docs = {d.doc_id: d for d in documents}
        self.chat = chat
        self.k = k

    def retrieve(self, question: str, k: int) -> list[m.Span]:
        return [p.span for p in self.retriever.search(question, k)]

    def answer(self, question: str, history: list[dict]) -> dict:
        started = time.perf_counter()
        passages = self.retriever.search(question, self.k)
        if not passages:
            text, cited, refused = "未找到相关内容。", [], True
        elif self.chat is None:
            text, cited, refused = passages[0].text, passages[:1], False
        else:
            text = self._generate(question, passages)
            cited = passages
            refused = bool(_DONT_KNOW.search(text)) and len(text) < 120
        return {
            "question": question,
            "answer": text,
            "route": "rag",
            "router": False,
            "value": None,
            "unit": "",
            "refused": refused,
            "citations": [self._citation(n, p) for n, p in enumerate(cited, 1)],
            "warnings": [],
            "latency_ms": int((time.perf_counter() - started) * 1000),
        }

    def _generate(self, question: str, passages: Sequence[Passage]) -> str:
        context = "\n\n".join(p.text for p in passages)
        reply = self.chat.invoke(PROMPT.format(context=context, question=question))
        return str(getattr(reply, "content", reply)).strip()

    def _citation(self, n: int, p: Passage) -> dict:
        doc = self.docs.get(p.doc_id)
        return {
            "n": n,
            "doc_id": p.doc_id,
            "title": doc.title if doc else "",
            "start": p.start,
            "end": p.end,
            "quote": p.text,
        }


BASELINE_NAMES = ("naive_rag", "bm25", "dense")


def make_baselines(store, settings, llm: str, only: Sequence[str] = ()) -> list[Baseline]:
    """The baselines over the store's documents, sharing gongkai's embedding model and LLM."""
    from index.embed import make_embeddings

    names = [n for n in BASELINE_NAMES if not only or n in only]
    documents = store.documents()
    chat = None
    if llm != "none":
        from assistant.llm import get_chat_model, resolve_backend

        chat = get_chat_model(resolve_backend(llm, settings), settings)
    embeddings = make_embeddings(settings.embed) if {"naive_rag", "dense"} & set(names) else None
    chunks = gongkai_chunks(store) if {"bm25", "dense"} & set(names) else []
    out = []
    for name in names:
        if name == "naive_rag":
            retriever = ChromaRetriever(split_naive(documents), embeddings)
        elif name == "bm25":
            retriever = BM25Retriever(chunks)
        else:
            retriever = DenseRetriever(chunks, embeddings)
        out.append(Baseline(name, retriever, documents, chat))
    return out
