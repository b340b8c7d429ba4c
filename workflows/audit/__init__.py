"""The audit trail: every state change records an event in its own transaction; the events form one hash chain.

`recording` keeps a transaction's events until it commits and then writes them, `chain` says what a
hash covers and links events under the chain's lock, `verification` recomputes the chain, and
`privileges` gives a PostgreSQL role what the application needs without the power to change events.
"""

from workflows.audit.recording import RECORDED_TYPES, record, write_pending

__all__ = ["RECORDED_TYPES", "record", "write_pending"]
