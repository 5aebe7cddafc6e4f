"""Calibration by the simulated method of moments: targets, search, metamodel, result, run."""
