"""Analysis of runs: outcomes, comparisons, experiment designs, sweeps, sensitivity, calibration."""
