"""Benchmarks behind `make bench`: the platform's pipeline against raw Kafka and PostgreSQL."""
