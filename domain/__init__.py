"""The domain layer: each concept of the two document formats defined once.

Below both index/ (building) and assistant/ + ui/ (answering, showing): it imports neither.
Vocabulary lives in ``domain/vocab/*.tsv``, every entry with the source it comes from; to add
a word, edit the file and the module's test (tests/test_domain_<module>.py).

- ``kinds``: document kinds and their names (vocab/kinds.tsv)
- ``refusals``: every "资料库中没有…" and refusal sentence, with its slots
- ``numbers``: number formatting (answers, UI) and Chinese digits
- ``quantity``: does a question ask for a figure, a quantity, a count (vocab/quantity.tsv)
- ``stopwords``: words that name nothing to look for, per use (vocab/stopwords.tsv)
- ``units``: how the names of 单位 end, per use (vocab/unit_suffixes.tsv)
- ``schema``: the statistical tables of both formats — tables, rows and printed labels,
  columns, identities (vocab/table_schema.toml; the question words: vocab/question_terms.tsv,
  question_rates.tsv; how to add one: docs/schema.md, test: tests/test_schema.py)
- ``citation``: Citation (the answer contract's citation object)
- ``warning``: Warning(code, detail) parsed from "code: detail" strings
- ``vocab``: the reader of the .tsv files (index/vocab reads its own files with it too)
"""
