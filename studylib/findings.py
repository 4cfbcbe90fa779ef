"""Check a study's hypotheses on fitted models: one row per hypothesis of its study file.

Each hypothesis (the ``hypotheses:`` block) names a model, the estimate it is about (an
ANOVA term, a simple effect, a contrast of marginal means; a PROCESS coefficient, a
conditional indirect effect, an index of moderated mediation, a contrast of indirect
effects, a direct effect) and the predicted direction. :func:`check_hypotheses` finds that
estimate in the fitted results and gives it a status:

- ``supported``: the confidence interval excludes 0 on the predicted side (``nonzero``:
  on either side); an F test (an ANOVA term, or a simple effect of a factor with more
  than two levels): p < alpha;
- ``direction only``: the estimate has the predicted sign but its CI includes 0;
- ``not supported``: the estimate has the other sign, a ``nonzero`` CI includes 0, or an
  F test has p >= alpha;
- ``not estimable``: the model was not fitted or has no such estimate (``note`` says why).

No library code knows a study's names: everything comes from the study file.

Examples
--------
>>> from studylib import load_study
>>> from studylib.findings import check_hypotheses
>>> from studylib.pipeline import fit_models, load_analysis_data
>>> sd = load_analysis_data("data/synthetic/influencer_study.csv", config="analyses/study.yaml")
>>> fits = fit_models(sd, boot=1000)
>>> tab = check_hypotheses(sd.study, fits, data=sd.kept)
>>> tab[["hypothesis", "estimate", "status"]].round(3).head(4)
  hypothesis  estimate          status
0         H1     0.062  direction only
1         H2    -0.075  direction only
2         H3    -0.384       supported
3         H4    -0.309       supported
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._validation import check_columns, check_dataframe, check_fraction
from .errors import InputTypeError

__all__ = ["check_hypotheses", "hypothesis_lines", "status_counts", "FINDINGS_COLUMNS", "STATUSES"]

#: Columns of the table returned by :func:`check_hypotheses`.
FINDINGS_COLUMNS = ("hypothesis", "statement", "model", "quantity", "estimate", "ci_low", "ci_high", "p",
                    "direction", "status", "note")
#: The statuses, from best to worst.
STATUSES = ("supported", "direction only", "not supported", "not estimable")


class _NotEstimable(Exception):
    """The estimate a hypothesis names is not in the fitted results."""


def _path(text: str) -> str:
    return " -> ".join(p.strip() for p in str(text).replace("→", "->").split("->"))


def _status(direction: str, estimate: float, ci: tuple[float, float] | None, p: float | None,
            alpha: float) -> str:
    if ci is None or any(pd.isna(c) for c in ci):  # an F test
        return "supported" if p is not None and p < alpha else "not supported"
    lo, hi = ci
    if direction == "nonzero":
        return "supported" if lo > 0 or hi < 0 else "not supported"
    sign = 1 if direction == "positive" else -1
    if sign * estimate <= 0:
        return "not supported"
    return "supported" if (lo > 0 if sign > 0 else hi < 0) else "direction only"


def _same(value: Any, level: Any) -> bool:
    if level is None:
        return value is None or (not isinstance(value, str) and pd.isna(value))
    return str(value) == str(level)


def _anova(h: Any, spec: Any, fit: pd.DataFrame, data: pd.DataFrame | None, conf: float) -> dict[str, Any]:
    from .emmeans import pairwise, simple_effects

    est, o = h.estimate, spec.options
    dv, between = o["dv"], list(o["between"])
    at = dict(est.get("at") or {})
    where = "".join(f", {k} = {v}" for k, v in at.items())
    if h.kind == "term":
        term = ":".join(p.strip() for p in str(est["term"]).split(":"))
        want = set(term.split(":"))
        hit = fit[fit["term"].map(lambda t: set(str(t).split(":")) == want)]
        if hit.empty:
            raise _NotEstimable(f"term {term!r} not in the ANOVA table; terms: {list(fit['term'])}")
        r = hit.iloc[0]
        resid = fit[fit["term"] == "Residual"]
        df2 = f", {resid['df'].iloc[0]:g}" if len(resid) else ""
        return {"quantity": f"F({r['df']:g}{df2}) of {r['term']} on {dv}", "estimate": float(r["F"]),
                "p": float(r["p"])}
    if data is None:
        raise _NotEstimable("needs the data (data=) to estimate marginal means")
    factor = est[h.kind]
    keep = pd.Series(True, index=data.index)
    for k, v in at.items():
        keep &= data[k].astype(str) == str(v)
    by = list(at) or None
    if h.kind == "simple_effect":
        levels = list(data[factor].astype("category").cat.categories)
        if len(levels) != 2:  # an F test of the simple effect
            se = simple_effects(data, dv, between, effect=factor, by=by) if by else None
            if se is None:
                hit = fit[fit["term"] == factor]
                return {"quantity": f"F of {factor} on {dv}", "estimate": float(hit["F"].iloc[0]),
                        "p": float(hit["p"].iloc[0])}
            for k, v in at.items():
                se = se[se[k].astype(str) == str(v)]
            return {"quantity": f"F of the simple effect of {factor} on {dv}{where}",
                    "estimate": float(se["F"].iloc[0]), "p": float(se["p"].iloc[0])}
        first, second = levels[1], levels[0]  # the effect: last level minus the reference
    else:
        first, second = (str(v) for v in est["levels"])
    pw = pairwise(data, dv, between, effect=factor, by=by, adjust="none", conf=conf)
    for k, v in at.items():
        pw = pw[pw[k].astype(str) == str(v)]
    for a, b, sign in ((first, second, 1.0), (second, first, -1.0)):
        hit = pw[(pw["level1"].astype(str) == a) & (pw["level2"].astype(str) == b)]
        if len(hit):
            r = hit.iloc[0]
            lo, hi = sorted((sign * float(r["ci_low"]), sign * float(r["ci_high"])))
            what = "simple effect" if h.kind == "simple_effect" else "contrast"
            return {"quantity": f"{what} of {factor} on {dv}: {first} - {second}{where}",
                    "estimate": sign * float(r["estimate"]), "ci": (lo, hi), "p": float(r["p"])}
    raise _NotEstimable(f"no comparison {first} - {second} of {factor!r} in the marginal means")


def _rows_at(frame: pd.DataFrame, at: Mapping[str, Any], o: Mapping[str, Any], columns: Mapping[str, str]) -> pd.DataFrame:
    """Rows of a PROCESS table at the moderator levels of ``at`` (W, Z by role)."""
    for role, col in columns.items():
        name = o.get(role)
        if col not in frame.columns or name is None:
            continue
        if name in at:
            frame = frame[frame[col].map(lambda v, lv=at[name]: _same(v, lv))]
    return frame


def _process(h: Any, spec: Any, res: Any) -> dict[str, Any]:
    est, o = h.estimate, spec.options
    at = dict(est.get("at") or {})
    where = "".join(f", {k} = {v}" for k, v in at.items())
    x_term = f"{o['x']}[{est['x_level']}]" if est.get("x_level") is not None else None

    def x_rows(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["x_term"] == x_term] if x_term is not None and "x_term" in frame else frame

    def one(frame: pd.DataFrame, what: str) -> pd.Series:
        if len(frame) != 1:
            raise _NotEstimable(f"{len(frame)} rows of the results match {what}; name the moderator levels "
                                "with 'at' (and 'x_level' for a multicategorical X)")
        return frame.iloc[0]

    if h.kind in ("indirect", "index"):
        path = _path(est[h.kind])
        table = res.indirect if h.kind == "indirect" else res.index
        rows = table[table["path"] == path]
        if rows.empty:
            raise _NotEstimable(f"no {h.kind} effect for path {path!r}; paths: {sorted(set(table['path']))}")
        if x_rows(rows).empty:
            raise _NotEstimable(f"no {h.kind} effect of {x_term} for path {path!r}; X terms: "
                                f"{sorted(set(rows['x_term']))}")
        rows = x_rows(rows)
        if h.kind == "indirect":
            r = one(_rows_at(rows, at, o, {"w": "w", "z": "z"}), f"the indirect effect {path}{where}")
            return {"quantity": f"conditional indirect effect {path}{where}", "estimate": float(r["effect"]),
                    "ci": (float(r["ci_low"]), float(r["ci_high"]))}
        w = o.get("w")
        if w in at and "w_term" in rows:
            rows = rows[rows["w_term"].astype(str).str.endswith(f"[{at[w]}]")]
        z = o.get("z")
        if z in at and "z_term" in rows:
            rows = rows[rows["z_term"].astype(str).str.endswith(f"[{at[z]}]")]
        r = one(rows, f"the index of {path}{where}")
        return {"quantity": f"index of moderated mediation {path}{where}", "estimate": float(r["index"]),
                "ci": (float(r["ci_low"]), float(r["ci_high"]))}
    if h.kind == "contrast":
        path = _path(est["contrast"])
        a, b = (str(v) for v in est["levels"])
        c = x_rows(res.contrasts)
        same = (c["path1"] == path) & (c["path2"] == path)
        for first, second, sign in ((a, b, 1.0), (b, a, -1.0)):
            hit = c[same & (c["w1"].astype(str) == first) & (c["w2"].astype(str) == second)]
            if len(hit):
                r = hit.iloc[0]
                lo, hi = sorted((sign * float(r["ci_low"]), sign * float(r["ci_high"])))
                return {"quantity": f"difference of conditional indirect effects {path}: {a} - {b}",
                        "estimate": sign * float(r["effect"]), "ci": (lo, hi)}
        raise _NotEstimable(f"no contrast of the indirect effects of {path!r} between {a!r} and {b!r}")
    if h.kind in ("coefficient", "term"):
        if h.kind == "term":
            spec_c = {"term": est["term"]}
        elif isinstance(est["coefficient"], Mapping):
            spec_c = est["coefficient"]
        else:
            spec_c = {"term": est["coefficient"], **({"equation": est["equation"]} if est.get("equation") else {})}
        co = res.coefficients
        if "equation" in spec_c:
            co = co[co["equation"] == spec_c["equation"]]
        term = str(spec_c["term"])
        rows = co[co["term"] == term]
        if rows.empty:
            rows = co[co["term"].astype(str).str.startswith(f"{term}[")]
        r = one(rows, f"the coefficient {term!r}")
        return {"quantity": f"coefficient of {r['term']} in the equation of {r['equation']}",
                "estimate": float(r["estimate"]), "ci": (float(r["ci_low"]), float(r["ci_high"])),
                "p": float(r["p"])}
    d_at = dict((est.get("direct") or {}).get("at") or {})
    r = one(_rows_at(x_rows(res.direct), d_at, o, {"w": "w", "z": "z"}), "the direct effect")
    return {"quantity": "direct effect of " + o["x"] + "".join(f", {k} = {v}" for k, v in d_at.items()),
            "estimate": float(r["effect"]), "ci": (float(r["ci_low"]), float(r["ci_high"])), "p": float(r["p"])}


def check_hypotheses(study: Any, fits: Mapping[str, Any], *, data: pd.DataFrame | None = None,
                     alpha: float = 0.05) -> pd.DataFrame:
    """Each hypothesis of a study file: its estimate, CI or p, and whether the data support it.

    Parameters
    ----------
    study : studylib.study.Study
        The study; its ``hypotheses`` and ``models`` are read.
    fits : mapping
        Model id -> fitted result: an ANOVA table (:func:`studylib.anova`) or a PROCESS
        result (:func:`studylib.process`), as :func:`studylib.pipeline.fit_models` returns.
    data : pandas.DataFrame, optional
        The analysed data; needed for simple effects and contrasts of ANOVA models
        (marginal means, :func:`studylib.emmeans.pairwise` without adjustment).
    alpha : float, default 0.05
        Level of the F tests (the CIs are those of the results: PROCESS' ``conf``; 95%
        for marginal means).

    Returns
    -------
    pandas.DataFrame
        One row per hypothesis, in file order: ``hypothesis`` (id), ``statement``,
        ``model``, ``quantity`` (what was estimated, in words), ``estimate`` (an F for an F
        test), ``ci_low``, ``ci_high``, ``p`` (NaN where not applicable), ``direction``,
        ``status`` (one of :data:`STATUSES`) and ``note``. ``attrs``: ``alpha``, ``conf``.

    Raises
    ------
    InputTypeError
        ``fits`` is not a mapping.
    OptionError
        ``alpha`` is not strictly between 0 and 1.

    Notes
    -----
    The statuses only summarise the fitted estimates and intervals; they test nothing new
    and apply no correction for checking several hypotheses. Report the estimates and
    intervals, not only the statuses.
    """
    if not isinstance(fits, Mapping):
        raise InputTypeError(f"fits must be a mapping model id -> fitted result; got {type(fits).__name__}")
    alpha = check_fraction(alpha, "alpha")
    models = {m.name: m for m in study.models}
    rows, conf = [], None
    for h in study.hypotheses:
        row = {"hypothesis": h.id, "statement": h.text, "model": h.model, "quantity": h.kind, "estimate": np.nan,
               "ci_low": np.nan, "ci_high": np.nan, "p": np.nan, "direction": h.direction,
               "status": "not estimable", "note": ""}
        spec, fit = models.get(h.model), fits.get(h.model)
        if spec is None or fit is None:
            row["note"] = f"model {h.model!r} was not fitted"
            rows.append(row)
            continue
        try:
            if spec.kind == "anova":
                got = _anova(h, spec, fit, data, 0.95)
            else:
                got = _process(h, spec, fit)
                conf = conf or fit.indirect.attrs.get("conf")
        except _NotEstimable as exc:
            row["note"] = str(exc)
            rows.append(row)
            continue
        ci = got.get("ci")
        row.update(quantity=got["quantity"], estimate=got["estimate"], p=got.get("p", np.nan))
        if ci is not None:
            row.update(ci_low=ci[0], ci_high=ci[1])
        row["status"] = _status(h.direction, got["estimate"], ci, got.get("p"), alpha)
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(FINDINGS_COLUMNS))
    table.attrs["alpha"] = alpha
    table.attrs["conf"] = conf
    return table


def status_counts(findings: pd.DataFrame) -> dict[str, int]:
    """Number of hypotheses per status (every status of :data:`STATUSES`, zeros included)."""
    check_dataframe(findings, "findings")
    check_columns(findings, ["status"], context="findings table")
    return {s: int((findings["status"] == s).sum()) for s in STATUSES}


def hypothesis_lines(findings: pd.DataFrame, *, digits: int = 3) -> list[str]:
    """One line of text per hypothesis: status, id, estimate with its CI or p.

    The text form of :func:`check_hypotheses`'s table (rounded for reading only).

    Examples
    --------
    >>> tab = pd.DataFrame([
    ...     {"hypothesis": "H1", "estimate": 0.062, "ci_low": -0.044, "ci_high": 0.179, "p": np.nan,
    ...      "status": "direction only", "note": ""},
    ...     {"hypothesis": "H2", "estimate": 9.1, "ci_low": np.nan, "ci_high": np.nan, "p": 0.0002,
    ...      "status": "supported", "note": ""}])
    >>> print("\\n".join(hypothesis_lines(tab)))
    direction only  H1: 0.062 [-0.044, 0.179]
    supported       H2: 9.100, p < .001
    """
    from .report.tables import format_ci, format_p

    check_dataframe(findings, "findings")
    check_columns(findings, ["hypothesis", "estimate", "ci_low", "ci_high", "p", "status", "note"],
                  context="findings table")
    lines = []
    for r in findings.itertuples():
        if r.status == "not estimable":
            lines.append(f"{r.status:<14}  {r.hypothesis}: {r.note}")
            continue
        ci = "" if pd.isna(r.ci_low) else " " + format_ci(r.ci_low, r.ci_high, digits)
        p = "" if pd.isna(r.p) else ", " + format_p(r.p, prefix=True)
        lines.append(f"{r.status:<14}  {r.hypothesis}: {r.estimate:.{digits}f}{ci}{p}")
    return lines
