"""Uncertainty propagation, global sensitivity and scenario sweeps over comparisons."""
