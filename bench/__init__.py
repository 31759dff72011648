"""Benchmarks that print figures beside their targets and baselines: `make bench`."""
