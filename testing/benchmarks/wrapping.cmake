# wrapping benchmark.
