# loss benchmark.
