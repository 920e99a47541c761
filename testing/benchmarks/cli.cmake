# cli benchmark.
