"""Hybrid retrieval, one module per job.

- :mod:`.filters` — which regions, years and kinds a search is limited to, and the query text
  the rankers see once those are enforced;
- :mod:`.fusion` — reciprocal rank fusion of the keyword and dense rankings;
- :mod:`.rerank` — the optional cross-encoder that reorders the fused candidates;
- :mod:`.engine` — :class:`~.engine.Retrieval`, searching a store's indexes within filters;
- :mod:`.langchain_retriever` — the engine as a LangChain ``BaseRetriever``;
- :mod:`.cli` — ``python -m assistant search``.

``assistant.retrieve`` re-exports the public names.
"""
