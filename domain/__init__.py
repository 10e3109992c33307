"""The domain layer: each concept of the two document formats defined once.

Below both index/ (building) and assistant/ + ui/ (answering, showing): it imports neither.
Vocabulary lives in ``domain/vocab/*.tsv`` with the source of every entry.
"""
