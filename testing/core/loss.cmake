# loss tests (label core).
