"""KCS declarations (Seondong/Customs-Declaration-Datasets) into model features.

Only the KCS column names live here; the ideas (point-in-time entity history,
smoothed violation rates) come from :mod:`ecomrisk.risk.model.encodings`, so the
product uses the same ones. :func:`features` is a function of one plain frame:
every row to encode, in any order, with ``Fraud`` missing where the outcome must
not be used (the period being scored). ``Critical Fraud`` is the label in
disguise and ``Declaration ID`` a key: neither is ever read.
"""

import numpy as np
import pandas as pd

from ecomrisk.risk.model import encodings

LABEL = "Fraud"
REQUIRED = (
    "Date",
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Declarant ID",
    "Importer ID",
    "Seller ID",
    "Courier ID",
    "HS6 Code",
    "Country of Departure",
    "Country of Origin",
    "Tax Rate",
    "Tax Type",
    "Country of Origin Indicator",
    "Net Mass",
    "Item Price",
    "Fraud",
)
NEVER_FEATURES = ("Fraud", "Critical Fraud", "Declaration ID")

CATEGORICAL = [
    "Office ID",
    "Process Type",
    "Import Type",
    "Import Use",
    "Payment Type",
    "Mode of Transport",
    "Country of Departure",
    "Country of Origin",
    "Tax Type",
    "Country of Origin Indicator",
    "hs2",
]

# Entities and combinations whose history is encoded (counts and smoothed rates).
HISTORY_KEYS: list[encodings.Key] = [
    "Importer ID",
    "Declarant ID",
    "Seller ID",
    "Courier ID",
    "hs6",
    "hs4",
    "Country of Origin",
    "Office ID",
    "Tax Type",
    ("Importer ID", "hs6"),
    ("Declarant ID", "hs6"),
    ("Importer ID", "Declarant ID"),
    ("Seller ID", "Importer ID"),
    ("hs6", "Country of Origin"),
    ("Declarant ID", "Office ID"),
    ("hs4", "Country of Origin"),
    ("hs6", "Country of Departure"),
    ("Importer ID", "Country of Origin"),
    ("hs2", "Country of Origin"),
    ("Office ID", "hs4"),
    ("Tax Type", "hs6"),
    ("Country of Origin Indicator", "hs6"),
    ("Import Type", "hs6"),
    ("Seller ID", "hs6"),
    ("Courier ID", "hs6"),
]


def prepared(raw: pd.DataFrame) -> pd.DataFrame:
    """Typed KCS columns plus derived keys (HS levels, date)."""
    frame = pd.DataFrame(index=raw.index)
    frame["date"] = pd.to_datetime(raw["Date"], format="%Y-%m-%d")
    hs6 = raw["HS6 Code"].astype("int64").astype(str).str.zfill(6)
    frame["hs6"], frame["hs4"], frame["hs2"] = hs6, hs6.str[:4], hs6.str[:2]
    for column in [*CATEGORICAL[:-1], "Importer ID", "Declarant ID", "Seller ID", "Courier ID"]:
        values = raw[column]
        frame[column] = values.where(values.isna(), values.astype(str))
    for column in ("Tax Rate", "Net Mass", "Item Price"):
        frame[column] = pd.to_numeric(raw[column], errors="raise").astype(float)
    frame[LABEL] = pd.to_numeric(raw[LABEL], errors="coerce") if LABEL in raw else np.nan
    return frame


def features(raw: pd.DataFrame, rates: str = "history") -> pd.DataFrame:
    """Model features for every row of ``raw`` (labels used only where present, earlier).

    ``rates``: ``history`` encodes each row from labelled rows of strictly earlier
    dates; ``oof`` encodes labelled rows out of fold and unlabelled rows from all
    labelled ones (for comparison; both keep a row's own label out).
    """
    frame = prepared(raw)
    known = frame[LABEL].notna()
    out = pd.DataFrame(index=frame.index)
    for column in CATEGORICAL:
        out[column] = frame[column]
    out["hs6_num"] = frame["hs6"].astype(int)
    out["tax_rate"] = frame["Tax Rate"]
    out["log_mass"] = np.log1p(frame["Net Mass"])
    out["log_price"] = np.log1p(frame["Item Price"])
    out["log_price_per_kg"] = out["log_price"] - out["log_mass"]
    out["log_tax"] = np.log1p(frame["Item Price"] * frame["Tax Rate"] / 100)
    out["month"] = frame["date"].dt.month
    out["weekday"] = frame["date"].dt.day_of_week
    out["day"] = frame["date"].dt.day
    out["origin_is_departure"] = (
        frame["Country of Origin"] == frame["Country of Departure"]
    ).astype(float)
    out["seller_missing"] = frame["Seller ID"].isna().astype(float)
    out["courier_missing"] = frame["Courier ID"].isna().astype(float)

    # Price per kg against its norm for the same goods (HS6, HS4, HS6 x origin), the
    # norms taken from the history rows only (those with a known outcome; no label read).
    reference = frame[known].assign(ppk=out["log_price_per_kg"][known])
    for key in (["hs6"], ["hs4"], ["hs6", "Country of Origin"]):
        norm = reference.groupby(key)["ppk"].agg(["median", "std"])
        joined = frame[key].join(norm, on=key)
        name = "+".join(key)
        out[f"ppk_dev_{name}"] = out["log_price_per_kg"] - joined["median"]
        spread = joined["std"].where(joined["std"] > 0)  # one price: no spread, no z-score
        out[f"ppk_z_{name}"] = out[f"ppk_dev_{name}"] / spread
    for column in ("hs6", "Importer ID"):
        norm = reference.groupby(column)["Tax Rate"].median().rename("norm")
        out[f"tax_dev_{column}"] = out["tax_rate"] - frame[[column]].join(norm, on=column)["norm"]

    out = out.join(encodings.history_counts(frame, HISTORY_KEYS, time="date"))
    if rates == "history":
        out = out.join(encodings.history_rates(frame, HISTORY_KEYS, time="date", label=LABEL))
    elif rates == "oof":
        train = encodings.out_of_fold_rates(frame[known], HISTORY_KEYS, label=LABEL)
        later = encodings.apply_rates(frame[known], frame[~known], HISTORY_KEYS, label=LABEL)
        out = out.join(pd.concat([train, later]))
    else:
        raise ValueError(f"rates: expected 'history' or 'oof', got {rates!r}")
    return out
