"""Background worker processes: `python -m workers.scheduler`, `python -m workers.notifications`, ...

Shared process plumbing (JSON logs, SIGTERM, health file) lives in `workers/runtime.py`; Kafka
producer/consumer helpers in `lunch_app/events/kafka.py`; the outbox relay in `lunch_app/events/relay.py`.
"""
