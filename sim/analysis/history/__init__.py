"""The model against the police record: ``sim history`` and the fit to the record.

* :mod:`~sim.analysis.history.run` runs the historical period with its drivers and
  programmes (replications x parameter draws) and compares it with the record
  (:class:`~sim.analysis.history.run.HistoryResult`, the JSON contract of ``sim history``);
* :mod:`~sim.analysis.history.figure` draws the history figure from a result
  (:func:`~sim.analysis.history.figure.history_figure`, reused by the report);
* :mod:`~sim.analysis.history.fit` fits the level and the drivers' free strengths to
  2012-2019 and tests the 2020-2023 forecast (``record_fit.toml``).
"""
