# surface tests (label core).
