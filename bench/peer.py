"""The analyst's baseline (issue 15): the same three answers as the engine, computed with pandas
from a Parquet export of the tables — what a person with the data and a notebook would do.

    .venv/bin/python bench/peer.py FOLDER --day 2026-12-04 --federation 1

* organizational coverage: member units of the federation subtree on the day covered by a
  party organization on the day ÷ member units;
* 应建未建: member units not covered with ≥ ``min_full`` full members employed on the day
  (full on or before the day, not left by it, each member once);
* branch-quarters without a 支部党员大会: every branch (branch, joint branch, general branch)
  of the subtree owes one counted general meeting in each whole quarter of the checked years
  (the day's year and ``lookback`` years before) that it existed for entirely, the running
  quarter excepted — the rulebook's ``orglife.irregular`` for that one meeting kind.

It reads only the columns it needs (the export holds whole tables). No Django: the script
stands for a user's own tool.
"""

from __future__ import annotations

import argparse
import datetime
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

BRANCH_KINDS = ("branch", "joint_branch", "general_branch")

# table → columns exported (bench/peer_bench.py writes them) and read here.
TABLES = {
    "federation": ("id", "path"),
    "membership": ("organization_id", "federation_id", "valid_from", "valid_to"),
    "coverage": ("organization_id", "valid_from", "valid_to"),
    "employment": ("member_id", "organization_id", "valid_from", "valid_to"),
    "member": ("id", "full_member_on", "left_on"),
    "party_org": ("id", "kind", "federation_id", "valid_from", "valid_to"),
    "meeting": ("party_organization_id", "kind", "held_on", "counts"),
}


def read(folder: Path, table: str, columns=None) -> pd.DataFrame:
    return pd.read_parquet(folder / f"{table}.parquet", columns=list(columns or TABLES[table]))


def _valid(df: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    return (df["valid_from"] <= day) & (df["valid_to"].isna() | (df["valid_to"] >= day))


def _quarter(dates: pd.Series) -> pd.Series:
    return (dates.dt.year * 12 + dates.dt.month - 1) // 3


def _q(day: datetime.date) -> int:
    return (day.year * 12 + day.month - 1) // 3


def analyse(
    folder: Path,
    day: datetime.date,
    federation_id: int,
    *,
    min_full: int = 3,
    lookback: int = 1,
    effective_from: datetime.date = datetime.date(2018, 10, 28),
) -> dict:
    folder = Path(folder)
    ts = pd.Timestamp(day)
    fed = read(folder, "federation")
    path = fed.loc[fed["id"] == federation_id, "path"].iloc[0]
    feds = fed.loc[fed["path"].str.startswith(path), "id"]

    # Coverage.
    ms = read(folder, "membership")
    units = pd.Index(ms.loc[_valid(ms, ts) & ms["federation_id"].isin(feds), "organization_id"])
    units = units.unique()
    cov = read(folder, "coverage")
    covered = units.isin(cov.loc[_valid(cov, ts), "organization_id"].unique())

    # 应建未建.
    emp = read(folder, "employment")
    emp = emp.loc[_valid(emp, ts), ["member_id", "organization_id"]]
    mem = read(folder, "member")
    full = mem.loc[
        (mem["full_member_on"] <= ts) & (mem["left_on"].isna() | (mem["left_on"] > ts)), "id"
    ]
    emp = emp.loc[emp["member_id"].isin(full)]
    counts = emp.drop_duplicates().groupby("organization_id").size()
    uncovered = units[~covered]
    big = counts.index[counts >= min_full]
    required = sorted(int(u) for u in uncovered[uncovered.isin(big)])

    # Branch-quarters without a counted general meeting.
    lo_day = max(datetime.date(day.year - lookback, 1, 1), effective_from)
    glo, ghi = _q(lo_day), _q(day + datetime.timedelta(days=1)) - 1
    po = read(folder, "party_org")
    po = po.loc[
        po["federation_id"].isin(feds)
        & po["kind"].isin(BRANCH_KINDS)
        & (po["valid_from"] <= ts)
        & (po["valid_to"].isna() | (po["valid_to"] >= pd.Timestamp(lo_day)))
    ]
    vf = po["valid_from"]
    starts_a_quarter = (vf.dt.day == 1) & (vf.dt.month % 3 == 1)
    lo = np.maximum(_quarter(vf) + np.where(starts_a_quarter, 0, 1), glo)
    last = _quarter(po["valid_to"] + pd.Timedelta(days=1)) - 1
    hi = np.where(po["valid_to"].isna(), ghi, np.minimum(last.fillna(ghi), ghi)).astype(int)
    n = np.clip(hi - lo.to_numpy() + 1, 0, None)
    owed = pd.DataFrame(
        {
            "po": np.repeat(po["id"].to_numpy(), n),
            "q": np.repeat(lo.to_numpy(), n)
            + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)),
        }
    )
    mt = read(folder, "meeting")
    first_day = pd.Timestamp(datetime.date(glo // 4, glo % 4 * 3 + 1, 1))
    mt = mt.loc[
        (mt["kind"] == "general_meeting")
        & mt["counts"]
        & (mt["held_on"] >= first_day)
        & (mt["held_on"] <= ts)
    ]
    held = pd.DataFrame({"po": mt["party_organization_id"], "q": _quarter(mt["held_on"])})
    held = held.drop_duplicates()
    missing = owed.merge(held, how="left", on=["po", "q"], indicator=True)
    missing = missing.loc[missing["_merge"] == "left_only", ["po", "q"]]
    return {
        "units": len(units),
        "covered": int(covered.sum()),
        "organizational_rate": round(100 * covered.sum() / len(units), 1) if len(units) else None,
        "required_not_formed": required,
        "missing_general_meetings": sorted(
            (int(p), int(q)) for p, q in missing.itertuples(index=False)
        ),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--day", required=True)
    parser.add_argument("--federation", type=int, required=True)
    args = parser.parse_args()
    t = time.perf_counter()
    result = analyse(Path(args.folder), datetime.date.fromisoformat(args.day), args.federation)
    elapsed = time.perf_counter() - t
    print(
        json.dumps(
            {
                "seconds": round(elapsed, 3),
                "units": result["units"],
                "organizational_rate": result["organizational_rate"],
                "required_not_formed": len(result["required_not_formed"]),
                "missing_general_meetings": len(result["missing_general_meetings"]),
            }
        )
    )


if __name__ == "__main__":
    main()
