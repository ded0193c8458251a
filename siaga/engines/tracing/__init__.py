"""The outbreak tracing engine: close contacts and source ranking from presence and case files
(``outbreak-trace-v1``, see docs/outbreak-format.md).

No Django imports here: the engine is driven by plain data, from the web app or from files.
"""
