"""Rebuild every bundled demo under datasets/ from its seed (run from the project root).

    python datasets/make_demos.py

Each demo is a pure function of the generator's code and the seed below: running this
again gives byte-identical files (tests/test_datasets.py checks the committed ones still
match what the generator makes from these seeds).
"""

from __future__ import annotations

from pathlib import Path

from trustnet.datasets import generate, write_export

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


def main() -> None:
    for name, (gen, write) in WORLDS.items():
        generate(**gen).write(ROOT / name, overwrite=True, **write)
    (ROOT / "exports").mkdir(exist_ok=True)
    for name, (gen, style) in EXPORTS.items():
        write_export(generate(**gen), ROOT / "exports" / name, style)


if __name__ == "__main__":
    main()
