"""Events between processes: topics, schemas, the outbox writer and (in workers) the relay."""
