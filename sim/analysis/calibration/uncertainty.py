"""Fit and uncertainty of a simulated-method-of-moments estimate.

* **Fit**: every target's ``z = (m_k - target_k) / tolerance_k`` at the validated optimum and
  the global statistic ``J = sum_k z_k^2``, compared with a chi-squared distribution on
  ``targets - free parameters`` degrees of freedom (minus one when the per-wijk shares cover
  every wijk: they then sum to one). With tolerances that are the targets' standard errors
  and a correct model, J is about chi-squared; a small p-value says the targets cannot all
  be met at once. The tolerances are partly judgement, so read p as a guide, not a test of
  exact size.
* **Standard errors** (Gourieroux, Monfort & Renault 1993; Duffie & Singleton 1993): with
  ``G`` the Jacobian of the simulated moments with respect to the free parameters at the
  optimum (central differences, common random numbers), ``S`` the covariance of one
  replication's moments (from the validation replications: the observed moments are taken
  to be one draw of the same process), ``W = diag(weight / tolerance^2)`` the weights of the
  loss and ``R`` the replications behind the simulated moments::

      Var(theta) = (1 + 1/R) (G'WG)^-1 G'W S W G (G'WG)^-1

  The weak prior of the loss is left out. A parameter at its bound, or one that moves no
  moment (G'WG near singular), has no meaningful standard error: the result warns.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2


def moment_covariance(matrix: np.ndarray) -> np.ndarray:
    """Covariance of the columns of ``matrix`` (replications x moments), pairwise over NaN."""
    m = np.asarray(matrix, dtype=float)
    k = m.shape[1]
    out = np.full((k, k), np.nan)
    for i in range(k):
        for j in range(i, k):
            ok = np.isfinite(m[:, i]) & np.isfinite(m[:, j])
            if ok.sum() >= 2:
                a, b = m[ok, i], m[ok, j]
                out[i, j] = out[j, i] = float(np.sum((a - a.mean()) * (b - b.mean()))
                                              / (ok.sum() - 1))
    return out


def smm_covariance(G: np.ndarray, S: np.ndarray, W: np.ndarray, R: int) -> np.ndarray:
    """``(1 + 1/R) (G'WG)^-1 G'W S W G (G'WG)^-1``: the sandwich of a diagonal-weight SMM.

    Moments with a non-finite row of ``G``, variance in ``S`` or weight are left out.
    """
    G, S, W = (np.asarray(a, dtype=float) for a in (G, S, W))
    w = np.diag(W).copy()
    ok = np.isfinite(G).all(axis=1) & np.isfinite(np.diag(S)) & np.isfinite(w) & (w > 0)
    G, S, w = G[ok], np.nan_to_num(S[np.ix_(ok, ok)]), w[ok]
    Wm = np.diag(w)
    bread = np.linalg.pinv(G.T @ Wm @ G)
    meat = G.T @ Wm @ S @ Wm @ G
    return (1.0 + 1.0 / R) * bread @ meat @ bread


def condition(G: np.ndarray, W: np.ndarray) -> float:
    """Condition number of G'WG (large: a parameter is barely identified)."""
    G = np.nan_to_num(np.asarray(G, dtype=float))
    A = G.T @ np.asarray(W, dtype=float) @ G
    return float(np.linalg.cond(A))


def j_statistic(z: np.ndarray, n_free: int, dependent: int = 0) -> dict[str, float | int]:
    """``J = sum z^2`` over the finite z, its degrees of freedom and chi-squared p-value."""
    z = np.asarray(z, dtype=float)
    z = z[np.isfinite(z)]
    j = float(np.sum(z**2))
    df = int(z.size - n_free - dependent)
    p = float(chi2.sf(j, df)) if df > 0 else float("nan")
    return {"j": j, "df": df, "p": p, "targets": int(z.size), "free": int(n_free)}
