"""Plain-Python helpers of wfmon_integration: Standard Webhooks signing and
verification, the retry/backoff policy, ``Retry-After`` parsing, the SSRF
destination guard, event envelopes and Prometheus text rendering.

Nothing in this package may import odoo: the modules are unit-tested by loading
them by file path (see ``tests/unit/conftest.py``) and are imported explicitly
by the Odoo models that need them.
"""
