"""The model: scenario schema, city, space, clock, agents and the hourly Mesa model.

Dependencies point down only: ``model`` uses ``sim.data`` and ``sim.core``, never the
packages that run, analyse or report it.
"""
