"""Business rules (SPEC §4). No Reflex, aiogram or Kafka here.

Convention: every function takes an `AsyncSession` already inside a transaction (callers use
`lunch_app.db.session_scope()`), flushes but never commits, and raises a `DomainError` subclass to
refuse. A refusal therefore leaves the database unchanged: the caller's transaction rolls back.
"""
