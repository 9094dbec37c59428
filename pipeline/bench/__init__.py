"""The benchmark: a simulated organisation in; the extractor measured against the bars out.

Runs the simulator, the yardstick and `python -m pipeline extract` as separate processes."""
