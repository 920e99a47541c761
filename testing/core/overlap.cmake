# overlap tests (label core).
