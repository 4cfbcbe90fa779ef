"""Power of any PROCESS model: its indirect effects, indexes and contrasts, batched.

A study's process model is taken as :func:`studylib.process` takes it (a model number or
a custom ``spec``, codings, probe values, ``hc``, ``center``, ``conf``, ``ci``) and turned
into equations and effect functions by studylib.process's own stages
(:func:`~studylib.process.request.specify`, :func:`~studylib.process.prepare.prepare`,
:func:`~studylib.process.probe.moderator_values`, :func:`~studylib.process.effects.indirect_rows`), so no model is coded twice. What is
new here is only the batching: one chunk of replications is coded at once (the rows of
all its replications stacked), every equation is fitted for all replications in one
batched product, and

- Monte Carlo CIs (Preacher & Selig, 2012) draw each equation's coefficients from
  :math:`N(\\hat b, \\hat V)` (equations independent, as their residuals are) for all
  replications at once and evaluate every effect function on the stacked draws;
- bootstrap CIs resample each replication with the engine of :func:`studylib.process`
  (:func:`~studylib.process.bootstrap.resample_fits`): the same resamples and intervals
  as ``studylib.process(data, ..., boot=B)`` on that replication's data.

An effect counts as detected when its CI excludes 0. With a continuous moderator the
probe values differ between replications; those replications are evaluated one at a time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..errors import SpecError

__all__ = ["ProcessTarget", "process_target", "process_labels", "process_cis", "process_hits"]

_ALLOWED = ("model", "spec", "x", "y", "m", "w", "z", "covariates", "x_coding", "w_coding",
            "z_coding", "boot", "seed", "conf", "ci", "hc", "center", "probe", "wvalues",
            "zvalues", "effsize", "normal")


@dataclasses.dataclass(frozen=True)
class ProcessTarget:
    """A study's process model, as the power simulation fits it."""

    name: str
    x: str
    y: str
    m: tuple[str, ...] = ()
    w: str | None = None
    z: str | None = None
    covariates: tuple[str, ...] = ()
    model: int | None = None
    spec: tuple[str, ...] | None = None
    x_coding: str | None = None
    w_coding: str | None = None
    z_coding: str | None = None
    conf: float = 0.95
    ci: str = "percentile"
    hc: str | None = None
    center: str = "none"
    probe: str = "percentile"
    wvalues: tuple[float, ...] | None = None
    zvalues: tuple[float, ...] | None = None

    @property
    def variables(self) -> list[str]:
        out = [self.x, *self.m, self.y, *self.covariates]
        return out + [v for v in (self.w, self.z) if v is not None]


def process_target(name: str, options: Mapping[str, Any], known: Sequence[str], where: str,
                   conf: float | None = None) -> ProcessTarget:
    """Check a ``kind: process`` model of a study file for power (SpecError names the key)."""
    f = f"models.{name}"
    extra = [k for k in options if k not in _ALLOWED]
    if extra:
        raise SpecError(f"{where}: {f} has options {extra} that studylib.process does not take")
    m = options.get("m") or ()
    m = (m,) if isinstance(m, str) else tuple(m)
    cov = options.get("covariates") or ()
    cov = (cov,) if isinstance(cov, str) else tuple(cov)
    spec = options.get("spec")
    if isinstance(spec, str):
        spec = (spec,)
    kw = dict(
        x=options.get("x"), y=options.get("y"), m=m, w=options.get("w"), z=options.get("z"),
        covariates=cov, model=options.get("model"), spec=tuple(spec) if spec else None,
        x_coding=options.get("x_coding"), w_coding=options.get("w_coding"),
        z_coding=options.get("z_coding"),
        conf=float(options.get("conf", 0.95) if conf is None else conf),
        ci=options.get("ci", "percentile"), hc=options.get("hc"),
        center=options.get("center", "none"), probe=options.get("probe", "percentile"),
        wvalues=tuple(options["wvalues"]) if options.get("wvalues") is not None else None,
        zvalues=tuple(options["zvalues"]) if options.get("zvalues") is not None else None,
    )
    target = ProcessTarget(name, **kw)
    unknown = [v for v in target.variables if v not in known]
    if unknown:
        raise SpecError(
            f"{where}: {f} uses {unknown}, which the simulation does not generate; simulated are "
            f"the design factors and the scales of simulation.scores: {list(known)}"
        )
    return target


@dataclasses.dataclass
class _Prepared:
    design: Any  # studylib.process.design.Design of the stacked replications (with moderator values)
    reps: int
    eq_list: list
    eq_terms: dict
    out_col: dict

    @property
    def columns(self) -> dict:
        return self.design.columns

    @property
    def role_terms(self) -> dict:
        return self.design.role_terms

    @property
    def codings(self) -> dict:
        return self.design.codings

    @property
    def cat_roles(self) -> set:
        return self.design.cat_roles


def _request(t: ProcessTarget, frame: pd.DataFrame, center: str):
    """The :class:`~studylib.process.request.Request` that ``studylib.process`` builds for ``t``."""
    from ..process.request import specify

    return specify(frame, model=t.model, x=t.x, y=t.y, m=list(t.m), w=t.w, z=t.z,
                   covariates=list(t.covariates), x_coding=t.x_coding, w_coding=t.w_coding,
                   z_coding=t.z_coding, boot=0, seed=None, conf=t.conf, ci=t.ci, hc=t.hc,
                   center=center, probe=t.probe, wvalues=t.wvalues, zvalues=t.zvalues,
                   spec=list(t.spec) if t.spec else None, effsize=False, normal=False)


def _prepare(t: ProcessTarget, frame: pd.DataFrame, reps: int) -> _Prepared:
    """Code the stacked replications with studylib.process's stages (no fitting).

    :func:`~studylib.process.request.specify` and :func:`~studylib.process.prepare.prepare`
    code all replications at once (the codings of a categorical X, W, Z are the same in
    every replication: each has every cell). Centring (``center``) is done per replication,
    by the rule of ``prepare``, and the products are formed after it
    (:func:`~studylib.process.prepare.equation_terms`), so each replication's block of rows
    holds the columns that ``studylib.process`` builds from that replication alone.
    """
    from ..process.prepare import equation_terms, prepare
    from ..process.probe import moderator_values

    req = _request(t, frame, "none")
    design = prepare(frame, req)
    if design.n != len(frame):
        raise SpecError(f"models.{t.name}: the simulated data have missing values")  # cannot happen
    columns = dict(design.columns)
    if t.center != "none":
        _center_per_replication(columns, design, t.center, reps)
    eq_terms = equation_terms(design.spec, design.role_terms, req.covariates, columns)
    sp = design.spec
    out = dataclasses.replace(design, columns=columns,
                              eq_terms={**design.eq_terms, **eq_terms})
    out = out.with_values(moderator_values(out, t.probe, req.user_values))
    eq_list = list(sp.outcomes())
    return _Prepared(out, reps, eq_list, {d: eq_terms[d] for d in eq_list},
                     {d: design.outcome[d] for d in eq_list})


def _center_per_replication(columns: dict, design, center: str, reps: int) -> None:
    """Mean-centre the variables that form products within each replication (in place).

    The rule of :func:`studylib.process.prepare.prepare` (PROCESS ``center``): with
    "continuous" only variables with more than two values, with "all" every one, code
    columns of a categorical variable included.
    """
    prod = set()
    for p in design.spec.paths:
        if p.moderators:
            prod.add(p.src)
            prod.update(p.moderators)
    for role in sorted(prod):
        if center != "all" and role in design.codings:
            continue  # categorical: not centred with "continuous" (PROCESS center=2)
        first = columns[design.role_terms[role][0]].reshape(reps, -1)
        keep = np.ones(reps, dtype=bool) if center == "all" else \
            np.array([np.unique(row).size > 2 for row in first])  # dichotomous ones are not
        for t in design.role_terms[role]:
            v = columns[t].reshape(reps, -1)
            mu = np.where(keep, v.mean(axis=1), 0.0)
            columns[t] = (v - mu[:, None]).ravel()


def _continuous_mods(prep: _Prepared) -> list[str]:
    return [m for m in ("w", "z") if m in prep.design.names and m not in prep.cat_roles]


def _set_probe_values(t: ProcessTarget, prep: _Prepared, r: int, n_rows: int) -> None:
    """Probe a continuous moderator at the values of replication ``r`` (as studylib.process)."""
    from ..process.design import ModValue
    from ..process.effects import probe_values

    mods = _continuous_mods(prep)
    if not mods:
        return
    values = dict(prep.design.values)
    for mod in mods:
        col = prep.columns[prep.role_terms[mod][0]][r * n_rows:(r + 1) * n_rows]
        vals = probe_values(col, probe=t.probe, values=t.wvalues if mod == "w" else t.zvalues)
        values[mod] = [ModValue(v, (v,)) for v in vals]
    prep.design = prep.design.with_values(values)


def _labels(t: ProcessTarget, prep: _Prepared) -> list[tuple[str, str]]:
    from ..process.effects import indirect_rows

    design = prep.design
    positional = {}
    for mod in _continuous_mods(prep):
        user = t.wvalues if mod == "w" else t.zvalues
        if user is not None:
            positional[mod] = [f"{v:g}" for v in user]
        elif t.probe == "meansd":
            positional[mod] = ["mean - 1 SD", "mean", "mean + 1 SD"]
        else:
            positional[mod] = ["16th percentile", "50th percentile", "84th percentile"]
    multi_x = len(prep.role_terms["x"]) > 1

    def at(row: dict, suffix: str = "") -> str:
        parts = []
        for mod in ("w", "z"):
            value = row.get(f"{mod}{suffix}")
            if value is None:
                continue
            if mod in positional:
                k = [v.label for v in design.values[mod]].index(value)
                value = f"{design.names[mod]} {positional[mod][k]}"
            parts.append(str(value))
        path = row[f"path{suffix}"]
        path = "total indirect" if path == "total" else path
        xt = f" [{row['x_term']}]" if multi_x else ""
        return f"{path}{xt}" + (f" | {', '.join(parts)}" if parts else "")

    q_ind, q_idx, q_con = indirect_rows(design)
    out = [("indirect", at(q.row)) for q in q_ind]
    for q in q_idx:
        row = q.row
        xt = f" [{row['x_term']}]" if multi_x else ""
        mod = next(m for m in ("w", "z") if design.names.get(m) == row["moderator"])
        if mod in prep.cat_roles:
            cod = prep.codings[mod]
            j = list(cod.terms).index(row["w_term"])
            label = cod.terms[j][len(cod.variable) + 1:-1]
            what = f"{label} vs {cod.levels[0]}" if cod.coding == "indicator" else label
        else:
            what = row["moderator"]
        out.append(("index", f"index {row['path']}{xt}: {what}"))
    out += [("contrast", f"{at(q.row, '1')} minus {at(q.row, '2')}") for q in q_con]
    return out


def process_labels(t: ProcessTarget, frame: pd.DataFrame) -> list[tuple[str, str]]:
    """``(test, effect)`` of every effect whose power is estimated (one replication ``frame``)."""
    prep = _prepare(t, frame, 1)
    _set_probe_values(t, prep, 0, len(frame))
    return _labels(t, prep)


def _ols(X: np.ndarray, y: np.ndarray, hc: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Batched OLS: X (reps, N, p), y (reps, N) -> coefficients (reps, p), covariance (reps, p, p).

    The covariance is as in :func:`studylib.process.ols.ols`: ``mse (X'X)^-1`` or the
    HC0-HC4 sandwich.
    """
    n, p = X.shape[1], X.shape[2]
    Xt = np.swapaxes(X, 1, 2)
    inv = np.linalg.inv(Xt @ X)
    coef = (inv @ (Xt @ y[:, :, None]))[:, :, 0]
    resid = y - (X @ coef[:, :, None])[:, :, 0]
    df = n - p
    if hc is None:
        mse = (resid**2).sum(axis=1) / df
        return coef, mse[:, None, None] * inv
    h = np.einsum("rnp,rpq,rnq->rn", X, inv, X)
    e2 = resid**2
    if hc == "HC0":
        omega = e2
    elif hc == "HC1":
        omega = e2 * n / df
    elif hc == "HC2":
        omega = e2 / (1 - h)
    elif hc == "HC3":
        omega = e2 / (1 - h) ** 2
    else:  # HC4
        omega = e2 / (1 - h) ** np.minimum(4.0, n * h / p)
    meat = Xt @ (X * omega[:, :, None])
    return coef, inv @ meat @ inv


def _used_columns(prep: _Prepared, qs: list | None, t: ProcessTarget, n_rows: int) -> dict:
    """Per equation, the coefficients some effect depends on (the others need no draws).

    Found by perturbing one coefficient at a time in random coefficient vectors: an
    effect that depends on it changes.
    """
    if t in _USED:
        return _USED[t]
    if qs is None:
        _set_probe_values(t, prep, 0, n_rows)
        qs = _quantities(prep.design)
    rng = np.random.default_rng(0)
    base = {d: rng.normal(size=(1, len(prep.eq_terms[d]))) for d in prep.eq_list}
    ref = _values(qs, base)
    used = {}
    for d in prep.eq_list:
        cols = []
        for j in range(base[d].shape[1]):
            bumped = dict(base)
            bumped[d] = base[d].copy()
            bumped[d][0, j] += 1.0
            if not np.array_equal(_values(qs, bumped), ref):
                cols.append(j)
        used[d] = cols
    _USED[t] = used
    return used


_USED: dict = {}  # per target: the used columns depend on the model, not on the data


def _percentile_ci(draws: np.ndarray, conf: float, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """:func:`studylib.process.intervals.percentile_ci` (numpy's linear quantiles) by partition.

    The same order statistics and the same interpolation as that function (so the same
    numbers, bit for bit, for draws without NaN), found by one ``np.partition`` instead
    of a full sort of every column. ``axis=1`` partitions ``draws.T`` (the draws of a
    column contiguous in memory: faster) and gives the same numbers.
    """
    a = (1 - conf) / 2
    last = draws.shape[0] - 1
    picks = []
    for q in (a, 1 - a):
        virtual = last * q
        below = np.floor(virtual)
        i = min(int(below), last)
        picks.append((i, min(i + 1, last), virtual - below))
    kth = sorted({k for i, j, _ in picks for k in (i, j)})
    part = np.partition(draws.T if axis == 1 else draws, kth, axis=axis)
    out = []
    for i, j, g in picks:
        lo, hi = (part[:, i], part[:, j]) if axis == 1 else (part[i], part[j])
        diff = hi - lo
        out.append(hi - diff * (1 - g) if g >= 0.5 else lo + diff * g)
    return out[0], out[1]


def _quantities(design) -> list:
    from ..process.effects import indirect_rows

    q_ind, q_idx, q_con = indirect_rows(design)
    return [*q_ind, *q_idx, *q_con]


def _values(qs: list, stacks: dict) -> np.ndarray:
    from ..process.effects import CoefStacks

    c = CoefStacks(stacks)
    return np.column_stack([q.fun(c) for q in qs])


def process_cis(t: ProcessTarget, frame: pd.DataFrame, reps: int, method: str, draws: int,
                boot: int, rng: np.random.Generator,
                decide: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """CIs (low, high), each (reps, effects), of every effect of :func:`process_labels`.

    ``frame`` stacks ``reps`` replications of equal size (rows of replication r together).
    With ``decide=True`` the Monte Carlo path may return, instead of the CIs, the
    decisions ``(low > 0, high < 0)`` (boolean arrays of the same shape, identical to
    comparing the CIs) without computing most of the quantiles.
    """
    from ..process.intervals import bc_ci, percentile_ci

    prep = _prepare(t, frame, reps)
    n_rows = len(frame) // reps
    X = {d: np.stack([prep.columns[c].reshape(reps, n_rows) for c in prep.eq_terms[d]], axis=2)
         for d in prep.eq_list}
    Y = {d: prep.columns[prep.out_col[d]].reshape(reps, n_rows) for d in prep.eq_list}
    fits = {d: _ols(X[d], Y[d], t.hc) for d in prep.eq_list}
    per_rep = bool(_continuous_mods(prep))
    qs = None if per_rep else _quantities(prep.design)
    if method == "montecarlo":
        used = _used_columns(prep, qs if qs is not None else None, t, n_rows)
        stacks = {}
        for d in prep.eq_list:  # draws-major rows: (draws, reps, p), as the CIs need them
            coef, cov = fits[d]
            u = used[d]
            full = np.broadcast_to(coef[None, :, :], (draws, reps, coef.shape[1])).copy()
            if u:
                chol = np.linalg.cholesky(cov[:, u][:, :, u])  # (reps, k, k)
                z = rng.standard_normal((draws, reps, len(u)))
                for a, i in enumerate(u):
                    full[:, :, i] += (z[:, :, : a + 1] * chol[None, :, a, : a + 1]).sum(axis=2)
            stacks[d] = full
        if not per_rep:
            from ..process.effects import CoefStacks

            c = CoefStacks({d: s.reshape(draws * reps, -1) for d, s in stacks.items()})
            vals = np.stack([q.fun(c) for q in qs])  # (effects, draws x reps), draws-major
            k = vals.shape[0]
            if decide:
                pos, neg = _excludes_zero(vals.reshape(k, draws, reps), t.conf)
                return pos.T, neg.T
            # one contiguous row of draws per (effect, replication) for the partition
            vals = np.ascontiguousarray(vals.reshape(k, draws, reps).transpose(0, 2, 1))
            lo, hi = _percentile_ci(vals.reshape(k * reps, draws).T, t.conf, axis=1)
            return lo.reshape(k, reps).T, hi.reshape(k, reps).T
        lows, highs = [], []
        for r in range(reps):
            _set_probe_values(t, prep, r, n_rows)
            lo, hi = _percentile_ci(_values(_quantities(prep.design), {d: s[:, r] for d, s in stacks.items()}),
                                    t.conf)
            lows.append(lo)
            highs.append(hi)
        return np.vstack(lows), np.vstack(highs)
    from ..process.bootstrap import resample_fits

    names = list(prep.columns)
    pos = {c: i for i, c in enumerate(names)}
    eqs = [([pos[c] for c in prep.eq_terms[d]], pos[prep.out_col[d]]) for d in prep.eq_list]
    lows, highs = [], []
    for r in range(reps):
        if per_rep:
            _set_probe_values(t, prep, r, n_rows)
            qs = _quantities(prep.design)
        G = np.column_stack([prep.columns[c][r * n_rows:(r + 1) * n_rows] for c in names])
        coefs = resample_fits(G, pos["constant"], eqs, boot, rng).coefficients
        vals = _values(qs, dict(zip(prep.eq_list, coefs, strict=True)))
        if t.ci == "percentile":
            lo, hi = percentile_ci(vals, t.conf)
        else:
            est = _values(qs, {d: fits[d][0][r][None, :] for d in prep.eq_list})[0]
            lo, hi = bc_ci(vals, est, t.conf)
        lows.append(lo)
        highs.append(hi)
    return np.vstack(lows), np.vstack(highs)


def _excludes_zero(vals: np.ndarray, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """``(ci_low > 0, ci_high < 0)`` of the percentile CIs of ``vals`` (k, draws, reps).

    Decided from counts: with ``e`` draws <= 0, the linear quantile between order
    statistics i and i + 1 is > 0 when ``e <= i`` (both positive) and not when
    ``e >= i + 2``; likewise with ``c`` draws < 0 for the upper limit. Only the (rare)
    columns where zero falls between the two order statistics get their quantile computed
    (:func:`_percentile_ci`), so the decisions equal comparing the CIs themselves.
    """
    k, draws, reps = vals.shape
    a = (1 - conf) / 2
    last = draws - 1
    i = min(int(np.floor(last * a)), last)
    j = min(int(np.floor(last * (1 - a))), last)
    nonpos = (vals <= 0).sum(axis=1)
    negative = (vals < 0).sum(axis=1)
    pos = nonpos <= i
    neg = negative >= j + 2
    open_ = (nonpos == i + 1) | (negative == j + 1)
    if open_.any():
        ks, rs = np.nonzero(open_)
        lo, hi = _percentile_ci(vals[ks, :, rs].T, conf)
        pos[ks, rs] = lo > 0
        neg[ks, rs] = hi < 0
    return pos, neg


def process_hits(t: ProcessTarget, frame: pd.DataFrame, reps: int, method: str, draws: int,
                 boot: int, rng: np.random.Generator) -> np.ndarray:
    """Replications whose CI excludes 0, lies above 0, lies below 0: (effects, 3) counts."""
    lo, hi = process_cis(t, frame, reps, method, draws, boot, rng, decide=True)
    above, below = (lo, hi) if lo.dtype == bool else (lo > 0, hi < 0)
    return np.column_stack([(above | below).sum(axis=0), above.sum(axis=0),
                            below.sum(axis=0)]).astype(np.int64)
