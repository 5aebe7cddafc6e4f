"""Seeds: one master seed per command, one run seed per replication.

Replication ``r`` runs with the seed ``SeedSequence(master_seed, spawn_key=(r,))``, so the
same scenario, master seed and replication give identical numbers on any executor, and
different scenarios run with the same master seed share their random streams (common
random numbers).
"""

from __future__ import annotations

import numpy as np

#: Largest master seed: provenance is stored as SQLite INTEGER (signed 64 bits).
MAX_SEED = 2**63 - 1


def replication_seed(master_seed: int, replication: int) -> int:
    """The run seed of replication ``replication`` under ``master_seed`` (a 63-bit int)."""
    child = np.random.SeedSequence(master_seed, spawn_key=(replication,))
    return int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))
