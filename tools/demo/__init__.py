"""Builders for the demo layout (``layouts/demo``), used by ``tools/make_demo_layout.py``.

Everything here is deterministic: fixed timestamps, seeded pseudo-random content, sorted
tar members with fixed headers, and compressors configured to embed no time or name.
"""
