"""The :class:`LoadReport`: what was read, how it was mapped, and where every row went.

>>> r = LoadReport(source="x.csv", kind="referrals", rows_read=3, accepted=2, duplicates=1, rejected=0)
>>> r.to_dict()["rows_read"], r.usable
(3, True)
>>> print(r.summary().splitlines()[0])
x.csv: referrals, 3 rows read: 2 accepted, 1 duplicate merged, 0 rejected
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import schema as S

__all__ = ["LoadReport"]


def _empty_rejected() -> pd.DataFrame:
    return pd.DataFrame({S.SOURCE_LINE: pd.Series([], dtype="int64"), "reason": pd.Series([], dtype="str")})


def _empty_duplicates() -> pd.DataFrame:
    return pd.DataFrame({S.SOURCE_LINE: pd.Series([], dtype="int64"), "kept_line": pd.Series([], dtype="int64"),
                         "reason": pd.Series([], dtype="str")})


@dataclass
class LoadReport:
    """How one input was loaded.

    Invariant: ``rows_read == accepted + duplicates + rejected``.

    Attributes
    ----------
    source : str
        The file name (``"<stdin>"``, ``"<DataFrame>"``).
    kind : str
        ``"referrals"``, ``"participants"`` (one row per person, turned into referrals),
        ``"touchpoints"`` or ``"ratings"``.
    format, encoding, delimiter, sheet, compression : str or None
        What was detected (or forced).
    profile : str or None
        The vendor profile matched (``trustnet/profiles/*.toml``).
    mapping : dict
        canonical column -> header used.
    rows_read, accepted, duplicates, rejected : int
        The reconciliation. Data rows only: the header (and a vendor's extra header
        rows or ``sep=`` line, reported in ``warnings``) are not rows.
    rejected_rows : pandas.DataFrame
        ``source_line``, ``reason`` and the row's raw cells, one row per rejected row.
    duplicate_rows : pandas.DataFrame
        ``source_line``, ``kept_line`` (the row it was merged into), ``reason``.
    warnings : list of str
        Usable-but-suspicious findings (ids in scientific notation, unknown statuses...).
    date_forms : dict
        date column -> form detected (``iso``, ``day-first``, ``unix seconds``...).
    touchpoints : pandas.DataFrame or None
        For a referral export with rating columns (``nps``, ``people_score``...): the
        canonical touchpoints they hold (see :func:`trustnet.load.load_referrals`).
    parts : list of LoadReport
        One report per file when several touchpoint files were loaded together.

    Examples
    --------
    >>> import io
    >>> from trustnet.load import load_referrals
    >>> csv = ("Advocate Email,Friend Email,Date\\n"
    ...        "ann@x.com,bob@x.com,2025-01-10\\n"
    ...        "ann@x.com,,2025-01-11\\n"
    ...        "ann@x.com,bob@x.com,2025-01-10\\n")
    >>> referrals, report = load_referrals(io.StringIO(csv))
    >>> report.format, report.rows_read, report.accepted, report.duplicates, report.rejected
    ('csv', 3, 1, 1, 1)
    >>> report.mapping["referrer"], report.mapping["referred"]
    ('Advocate Email', 'Friend Email')
    >>> report.rejected_rows[["source_line", "reason"]]
       source_line            reason
    0            3  missing referred
    >>> report.duplicate_rows
       source_line  kept_line                     reason
    0            4          2  exact duplicate of line 2
    """

    source: str
    kind: str = "referrals"
    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    compression: str | None = None
    profile: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejected_rows: pd.DataFrame = field(default_factory=_empty_rejected)
    duplicate_rows: pd.DataFrame = field(default_factory=_empty_duplicates)
    warnings: list[str] = field(default_factory=list)
    date_forms: dict[str, str] = field(default_factory=dict)
    touchpoints: pd.DataFrame | None = None
    parts: list["LoadReport"] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """True when at least one row was accepted, or the table holds no data rows at all.

        Examples
        --------
        >>> LoadReport("x.csv", rows_read=2, rejected=2).usable, LoadReport("empty.csv").usable
        (False, True)
        """
        return self.accepted > 0 or self.rows_read == 0

    def reasons(self) -> dict[str, int]:
        """Rejected rows counted by reason (the reason's first clause), most frequent first.

        Examples
        --------
        >>> LoadReport("x").reasons()
        {}
        """
        if self.rejected_rows.empty:
            return {}
        short = self.rejected_rows["reason"].astype(str).str.replace(r"\s*[:('\"].*$", "", regex=True)
        return {str(k): int(v) for k, v in short.value_counts().items()}

    def to_dict(self, max_rows: int = 20) -> dict[str, Any]:
        """A JSON-safe dict: counts, mapping, format, warnings and the first ``max_rows`` rejected rows.

        Examples
        --------
        >>> import json
        >>> d = LoadReport("x.csv", rows_read=0).to_dict()
        >>> sorted(k for k in d if k in {"rows_read", "accepted", "duplicates", "rejected", "mapping"})
        ['accepted', 'duplicates', 'mapping', 'rejected', 'rows_read']
        >>> _ = json.dumps(d)
        """
        return {
            "source": self.source,
            "kind": self.kind,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sheet": self.sheet,
            "compression": self.compression,
            "profile": self.profile,
            "mapping": dict(self.mapping),
            "rows_read": int(self.rows_read),
            "accepted": int(self.accepted),
            "duplicates": int(self.duplicates),
            "rejected": int(self.rejected),
            "usable": self.usable,
            "reasons": self.reasons(),
            "rejected_rows": _records(self.rejected_rows.head(max_rows)),
            "warnings": list(self.warnings),
            "date_forms": dict(self.date_forms),
            "touchpoints_from_ratings": 0 if self.touchpoints is None else int(len(self.touchpoints)),
            "parts": [p.to_dict(max_rows) for p in self.parts],
        }

    def summary(self, max_rows: int = 5) -> str:
        """A few readable lines: reconciliation, mapping, reasons, first rejected rows, warnings.

        Examples
        --------
        >>> print(LoadReport("x.csv", mapping={"referrer": "Advocate"}).summary())
        x.csv: referrals, 0 rows read: 0 accepted, 0 duplicates merged, 0 rejected
          mapping: referrer <- 'Advocate'
        """
        dup = "duplicate" if self.duplicates == 1 else "duplicates"
        lines = [f"{self.source}: {self.kind}, {self.rows_read:,} rows read: {self.accepted:,} accepted, "
                 f"{self.duplicates:,} {dup} merged, {self.rejected:,} rejected"]
        detected = ", ".join(f"{k} {v}" for k, v in (("format", self.format), ("encoding", self.encoding),
                                                     ("delimiter", _show_delim(self.delimiter)),
                                                     ("sheet", self.sheet), ("compression", self.compression),
                                                     ("profile", self.profile)) if v)
        if detected:
            lines.append(f"  read as: {detected}")
        if self.mapping:
            lines.append("  mapping: " + ", ".join(f"{k} <- {v!r}" for k, v in self.mapping.items()))
        if self.date_forms:
            lines.append("  dates: " + ", ".join(f"{k} {v}" for k, v in self.date_forms.items()))
        reasons = self.reasons()
        if reasons:
            lines.append("  rejected: " + "; ".join(f"{n:,} {r}" for r, n in reasons.items()))
            for _, row in self.rejected_rows.head(max_rows).iterrows():
                lines.append(f"    line {int(row[S.SOURCE_LINE])}: {row['reason']}")
        if len(self.duplicate_rows):
            kinds = self.duplicate_rows["reason"].astype(str).str.replace(r"\s*(of|')\b.*$", "", regex=True)
            lines.append("  merged: " + "; ".join(f"{n:,} {k}" for k, n in kinds.value_counts().items()))
        if self.touchpoints is not None and len(self.touchpoints):
            lines.append(f"  touchpoints from rating columns: {len(self.touchpoints):,}")
        for w in self.warnings:
            lines.append(f"  warning: {w}")
        return "\n".join(lines)


def _show_delim(d: str | None) -> str | None:
    return {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(d, d) if d else None


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for rec in frame.to_dict(orient="records"):
        clean = {}
        for k, v in rec.items():
            if isinstance(v, (np.integer,)):
                v = int(v)
            elif isinstance(v, (float, np.floating)):
                v = None if math.isnan(v) else float(v)
            elif v is pd.NA or v is None:
                v = None
            else:
                v = str(v) if not isinstance(v, (int, bool)) else v
            clean[str(k)] = v
        out.append(clean)
    return out
