"""Benchmarks: rerunnable measurements, never timed assertions in the tests."""
