"""Sync in: the ERP's bulk upserts of orders, disputes, returns and messages.

Each module takes a list of raw items and answers, per item, ``created``,
``updated``, ``unchanged``, ``stale`` or its errors by field. Items are validated
one by one; a bad item never blocks the good ones and is never half-written.
"""
