"""Rebuild every bundled demo under datasets/ from its seed (run from the project root).

    python datasets/make_demos.py

Each demo is a pure function of the generator's code and the seed below: running this
again gives byte-identical files (tests/test_datasets.py checks the committed ones still
match what the generator makes from these seeds). It also rewrites the tables between the
``<!-- files -->`` and ``<!-- stats -->`` markers of each dataset README, so the numbers
stated there are always those of the files.
"""

from __future__ import annotations

import re
from pathlib import Path

from trustnet.datasets import describe_world, generate, write_export

ROOT = Path(__file__).resolve().parent

#: name -> (generate keyword arguments, write keyword arguments)
WORLDS = {
    "home-services": (dict(customers=2000, seed=1, kind="home-services"), dict(compress=False)),
    "subscription": (dict(customers=20000, seed=2, kind="subscription"), dict(compress=True)),
}
#: export file -> (generate keyword arguments, style)
EXPORTS = {
    "referral-platform.csv": (dict(customers=600, seed=3, kind="subscription", months=12), "referral-platform"),
    "crm-europe.csv": (dict(customers=500, seed=4, kind="home-services", providers=8, months=12,
                            start="2024-07-01"), "crm-europe"),
}

#: statistic -> (what it says, bounds per kind): the claims of the READMEs, checked by the tests
#: on the bundled files and on freshly generated worlds of each kind.
STATS = {
    "referred_share": ("customers won by referral", {"home-services": (0.4, 0.75), "subscription": (0.2, 0.65)}),
    "conversion_rate": ("referrals that convert, of those decided",
                        {"home-services": (0.5, 0.8), "subscription": (0.35, 0.7)}),
    "top1pct_share": ("heavy tail: referrals made by the busiest 1% of advocates",
                      {"home-services": (0.05, 0.3), "subscription": (0.05, 0.3)}),
    "one_off_share": ("heavy tail: advocates who referred once",
                      {"home-services": (0.25, 0.5), "subscription": (0.25, 0.5)}),
    "max_referrals": ("most referrals by one advocate (the median advocate makes 2)",
                      {"home-services": (15, 80), "subscription": (15, 80)}),
    "max_depth": ("deepest cascade, in levels", {"home-services": (3, 12), "subscription": (3, 12)}),
    "depth3_share": ("referred customers three or more levels deep",
                     {"home-services": (0.05, 0.4), "subscription": (0.01, 0.2)}),
    "churn_90d": ("live relationships that end within 90 days (truth)",
                  {"home-services": (0.025, 0.1), "subscription": (0.025, 0.1)}),
    "survey_response_rate": ("survey invitations answered (truth)",
                             {"home-services": (0.15, 0.3), "subscription": (0.12, 0.28)}),
    "touchpoints_per_customer": ("touchpoints per customer",
                                 {"home-services": (5.0, 9.0), "subscription": (9.0, 16.0)}),
    "complaints_per_100": ("complaints per 100 customers over the two years",
                           {"home-services": (15.0, 45.0), "subscription": (20.0, 50.0)}),
    "unresolved_share": ("complaints never resolved",
                         {"home-services": (0.08, 0.25), "subscription": (0.06, 0.25)}),
}


def _num(x: float) -> str:
    return f"{x:,}" if isinstance(x, int) else f"{x:g}"


def _tables(folder: Path, kind: str, world) -> dict[str, str]:
    stats = describe_world(world)
    rows = ["| statistic | this file | bound |", "| --- | --- | --- |"]
    for key, (words, bounds) in STATS.items():
        lo, hi = bounds[kind]
        rows.append(f"| {words} (`{key}`) | {_num(stats[key])} | {_num(lo)}–{_num(hi)} |")
    truth = world.truth
    size = lambda *names: sum((folder / n).stat().st_size for n in names) / 1e6  # noqa: E731
    tp = next(p.name for p in folder.iterdir() if p.name.startswith("touchpoints.csv"))
    files = ["| file | rows | size |", "| --- | --- | --- |",
             f"| `referrals.csv` | {len(world.referrals):,} referrals | {size('referrals.csv'):.1f} MB |",
             f"| `{tp}` | {len(world.touchpoints):,} touchpoints | {size(tp):.1f} MB |",
             "| `truth/` " + ", ".join(f"`{n}.csv`" for n in truth) + " | "
             + " / ".join(f"{len(t):,}" for t in truth.values())
             + f" | {size(*[f'truth/{n}.csv' for n in truth]):.1f} MB |"]
    return {"stats": "\n".join(rows), "files": "\n".join(files)}


def main() -> None:
    for name, (gen, write) in WORLDS.items():
        world = generate(**gen)
        folder = world.write(ROOT / name, overwrite=True, **write)
        readme = folder / "README.md"
        if readme.exists():
            text = readme.read_text(encoding="utf-8")
            for marker, table in _tables(folder, gen["kind"], world).items():
                text = re.sub(rf"<!-- {marker} -->.*?<!-- /{marker} -->",
                              lambda _m: f"<!-- {marker} -->\n{table}\n<!-- /{marker} -->", text, flags=re.S)
            readme.write_text(text, encoding="utf-8")
    (ROOT / "exports").mkdir(exist_ok=True)
    for name, (gen, style) in EXPORTS.items():
        write_export(generate(**gen), ROOT / "exports" / name, style)


if __name__ == "__main__":
    main()
