"""A least-squares metamodel of simulated moments (used by the calibration search)."""

from __future__ import annotations

import numpy as np


class Metamodel:
    """Least-squares quadratic (or, with few points, linear) model of each moment in ``u``."""

    def __init__(self, us: list[np.ndarray], moments: list[np.ndarray]):
        U, M = np.array(us), np.array(moments)
        d = U.shape[1]
        self.quadratic = len(U) >= 2 * (1 + 2 * d)
        X = self._features(U)
        ridge = 1e-6 * np.eye(X.shape[1])
        ridge[0, 0] = 0.0
        self.coef = np.zeros((X.shape[1], M.shape[1]))
        for j in range(M.shape[1]):
            ok = np.isfinite(M[:, j])
            if ok.sum() == 0:
                self.coef[0, j] = np.nan
                continue
            A = X[ok]
            self.coef[:, j] = np.linalg.solve(A.T @ A + ridge * len(A), A.T @ M[ok, j])

    def _features(self, U: np.ndarray) -> np.ndarray:
        cols = [np.ones(len(U)), *U.T]
        if self.quadratic:
            cols += [*(U**2).T]
        return np.column_stack(cols)

    def predict(self, U: np.ndarray) -> np.ndarray:
        """Predicted moments at scaled parameters ``U`` (n, d)."""
        return self._features(np.atleast_2d(U)) @ self.coef
