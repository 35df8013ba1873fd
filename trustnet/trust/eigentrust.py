"""Global reputation: an EigenTrust power iteration over the people layer.

Local trust ``c_ij`` of person i in person j comes from the people score of the
relationship i → j (kind ``referred_by``: i was referred by j): its part above
neutral, ``max(people - 0.5, 0)``; a referral whose outcome says nothing (no
people score) still shows that i listened to j and counts a faint
:data:`UNKNOWN_OUTCOME_TRUST`. Rows are normalised to sum to 1. :func:`trustnet.trust.score_trust` uses
every person as the pre-trusted set ``p`` (uniform teleport, as in PageRank),
so an advocate's reputation is the trust of the people who acted on their
word, weighted by those people's own reputation. Pre-trusting only the people
who came to a provider directly (the forest roots) was tried and rejected: on
a referral forest local trust points from the referred to their referrer,
i.e. towards the roots, so trust that starts at the roots has nowhere to go
and every other person ends at zero. The iteration
(Kamvar, Schlosser and Garcia-Molina, WWW 2003)::

    t ← (1 - a) · Cᵀ t + a · p        (a = eigentrust_damping)

sends the trust of people without outgoing trust to ``p`` and stops when the
absolute L1 change falls below ``tolerance`` (not N·tolerance, which stops far
too early on a million people).

Examples
--------
>>> import numpy as np, scipy.sparse as sp
>>> C = sp.csr_matrix(([1.0, 1.0], ([1, 2], [0, 0])), shape=(3, 3))  # 1 and 2 trust 0
>>> t, iters = eigentrust(C, np.array([False, True, True]), damping=0.15)
>>> t.round(3).tolist()
[0.459, 0.27, 0.27]
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import scipy.sparse as sp

__all__ = ["eigentrust", "UNKNOWN_OUTCOME_TRUST"]

#: Local trust of a referral link whose people score is unknown.
UNKNOWN_OUTCOME_TRUST = 0.05


def eigentrust(
    local: sp.spmatrix,
    pretrusted: np.ndarray,
    damping: float = 0.15,
    tolerance: float = 1e-10,
    max_iterations: int = 200,
) -> tuple[np.ndarray, int]:
    """Global trust vector of an EigenTrust power iteration.

    Parameters
    ----------
    local : sparse matrix (n × n)
        Non-negative local trust, row i = whom i trusts; rows are normalised here.
    pretrusted : ndarray of bool (n,)
        The pre-trusted set; when empty, every node is pre-trusted.
    damping : float
        Probability of teleporting to the pre-trusted set at each step.
    tolerance : float
        Absolute L1 change at which to stop.
    max_iterations : int

    Returns
    -------
    t : ndarray (n,)
        Global trust, summing to 1.
    iterations : int

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> C = sp.csr_matrix(([2.0, 1.0], ([0, 1], [1, 2])), shape=(3, 3))
    >>> t, _ = eigentrust(C, np.array([True, False, False]), damping=0.5)
    >>> t.round(3).tolist()  # 0 -> 1 -> 2; 2 trusts nobody, so its trust returns to 0
    [0.571, 0.286, 0.143]
    """
    n = local.shape[0]
    if n == 0:
        return np.zeros(0), 0
    # scipy-stubs' csr_matrix overloads take no bare ``spmatrix``, though scipy converts any sparse matrix
    C = sp.csr_matrix(cast(Any, local), dtype=float)
    C.eliminate_zeros()
    out = np.asarray(C.sum(axis=1)).ravel()
    inv = np.divide(1.0, out, out=np.zeros(n), where=out > 0)
    CT = (sp.diags(inv) @ C).T.tocsr()
    p = np.asarray(pretrusted, bool)
    p = (p if p.any() else np.ones(n, bool)).astype(float)
    p /= p.sum()
    dangling = out <= 0
    t = p.copy()
    it = 0
    for it in range(1, max_iterations + 1):
        nxt = (1.0 - damping) * (CT @ t + t[dangling].sum() * p) + damping * p
        nxt /= nxt.sum()
        delta = np.abs(nxt - t).sum()
        t = nxt
        if delta < tolerance:
            break
    return t, it
