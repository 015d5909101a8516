"""Benchmarks: speed and memory targets measured by command, never by timed unit tests."""
