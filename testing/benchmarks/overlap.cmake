# overlap benchmark.
