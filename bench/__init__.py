"""Benchmarks: our escalation lifecycle against bare Temporal, side by side (`make bench`).

Every figure is a ratio against a bare baseline measured in the same run on the same dev server,
because the machine is small and shared: absolute numbers drift with whatever else runs.
"""
