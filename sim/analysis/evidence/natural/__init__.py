"""Natural experiments in the police record: what Amstelveen's own history says.

* :mod:`~sim.analysis.evidence.natural.estimators`: difference-in-differences and synthetic control
  on log counts, placebos (permutation) and sensitivity to the choice of years;
* :mod:`~sim.analysis.evidence.natural.team`: the burglary team (2018-2022) in the record
  against the model's team effect over the same years, and the team's posterior;
* :mod:`~sim.analysis.evidence.natural.lockdown`: the 2019-2021 drop against what the occupancy
  driver alone produces.

Both studies are part of ``sim evidence`` (keys ``record_team``, ``record_lockdown``).
"""
