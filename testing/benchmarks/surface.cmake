# surface benchmark.
