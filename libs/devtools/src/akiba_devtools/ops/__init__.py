"""Operator commands on the deployment's Kafka and databases: `akiba dlq`, `lag`, `stuck`."""
