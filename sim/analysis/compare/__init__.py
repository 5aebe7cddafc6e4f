"""Comparing options: the plan, the paired runs, the rows and checks, draws and shocks."""
