"""Synthetic item-level data: any study from its study file, or the 3 x 2 thesis experiment.

:func:`simulate_from_study` writes the export of any study from the ``simulation:`` block of
its study file (scale scores from means, SDs and effects; items; missing answers).

:func:`simulate_study` returns a raw, Qualtrics-like export (one row per respondent, export
column names, condition labels as text, careless respondents, missing answers) that goes
through the same pipeline as a real export (:func:`studylib.io.prepare`,
:func:`studylib.cleaning.apply_exclusions`). :func:`simulate_latent` is the fast path for
Monte Carlo work (power, false-positive rates): it simulates only conditions and the three
constructs, vectorized over replications. Parameters live in ``data/synthetic/params.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._simparams import RESPONSES, SCALES, VALENCES, check_latent, deep_merge, load_params
from ._simstudy import simulate_from_study
from ._validation import as_generator, check_int, check_option

__all__ = ["simulate_study", "simulate_latent", "simulate_from_study", "population_effects",
           "load_params"]

_TYPES = ("attentive", "straight_liner", "random", "speeder", "skipper")
_ALPHABET = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))


def _cells(n_per_cell: int | None, n: int | None, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Balanced random assignment: x (0 negative, 1 positive) and w (0 none, 1 like, 2 reply)."""
    if n is None:
        cell = np.repeat(np.arange(6), n_per_cell)
    else:
        cell = rng.permutation(np.arange(n) % 6)
    return cell // 3, cell % 3


def _structural(x: np.ndarray, w: np.ndarray, latent: Mapping[str, Any],
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw PSR, PK and attitude given x and w (see simulate_study, Notes)."""
    size = x.shape
    p, k, a = latent["psr"], latent["pk"], latent["attitude"]
    intercept = np.array([p["intercept"][r] for r in RESPONSES], dtype=float)
    slope = np.array([p["valence"][r] for r in RESPONSES], dtype=float)
    psr = intercept[w] + slope[w] * x + p["residual_sd"] * rng.standard_normal(size)
    pk = k["intercept"] + k["psr"] * psr + k["valence"] * x + k["residual_sd"] * rng.standard_normal(size)
    att = (a["intercept"] + a["psr"] * psr + a["pk"] * pk + a["valence"] * x
           + a["residual_sd"] * rng.standard_normal(size))
    return {"psr": psr, "pk": pk, "attitude": att}


def _items(eta: np.ndarray, spec: Mapping[str, Any], rng: np.random.Generator) -> np.ndarray:
    """Categories 1..7 (not yet reverse-keyed) of one scale's items, shape (n, k)."""
    lam = np.asarray(spec["loadings"], dtype=float)
    tau = np.asarray(spec["thresholds"], dtype=float)
    eps = rng.standard_normal((eta.shape[0], lam.shape[0]))
    ystar = spec["shift"] + eta[:, None] * lam + np.sqrt(1.0 - lam**2) * eps
    return 1 + (ystar[..., None] > tau).sum(axis=-1)


def simulate_latent(
    n_per_cell: int,
    *,
    params: str | Path | Mapping[str, Any] | None = None,
    latent: Mapping[str, Any] | None = None,
    reps: int = 1,
    scores: str = "latent",
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Fast simulation of conditions and construct scores for Monte Carlo studies.

    Parameters
    ----------
    n_per_cell : int
        Respondents in each of the six cells (balanced design).
    params : path, mapping or None
        Simulation parameters; ``None`` reads ``data/synthetic/params.yaml``.
    latent : mapping, optional
        Overrides of the ``latent`` section (standardized path values), merged into it,
        e.g. ``{"psr": {"valence": {"none": 0, "like": 0, "reply": 0}}}``.
    reps : int, default 1
        Number of replications, all drawn in one vectorized step.
    scores : {"latent", "items"}, default "latent"
        ``"latent"`` returns the continuous latent values; ``"items"`` simulates the items
        of each scale (loadings, 7-point thresholds) and returns their mean (1..7), as a
        scored questionnaire would give (no missing answers, no careless respondents).
    seed : int, numpy.random.Generator or None
        Random seed (``None`` draws a fresh one, recorded in ``.attrs["seed"]``).

    Returns
    -------
    pandas.DataFrame
        One row per simulated respondent with columns ``rep`` (0..reps-1), ``valence``
        (Categorical negative, positive), ``response`` (Categorical none, like, reply),
        ``psr``, ``pk``, ``attitude``. Rows are ordered by rep, then cell.

    Raises
    ------
    OptionError
        ``n_per_cell`` or ``reps`` is not a positive whole number, ``scores`` unknown.
    SpecError
        The parameters are invalid (the message names the field).

    See Also
    --------
    simulate_study : the full raw export with careless respondents and missing answers.
    population_effects : the true conditional indirect effects of a parameter set.

    Notes
    -----
    The structural model is the one of :func:`simulate_study`. With ``scores="items"`` the
    score of scale :math:`s` is :math:`\\bar c_{is} = k_s^{-1}\\sum_j c_{ijs}` with the
    categories :math:`c_{ijs}` defined there.

    Examples
    --------
    >>> from studylib.simulate import simulate_latent
    >>> sim = simulate_latent(50, reps=2, seed=1)
    >>> # R: replicate(2, lavaan::simulateData(model, sample.nobs = 300), simplify = FALSE)
    >>> sim.shape
    (600, 6)
    >>> sim.groupby(["valence", "response"], observed=True).size().unique().tolist()
    [100]
    >>> null = {"psr": {"valence": {"none": 0, "like": 0, "reply": 0}}}
    >>> simulate_latent(10, latent=null, scores="items", seed=1)["psr"].between(1, 7).all()
    np.True_
    """
    n_per_cell = check_int(n_per_cell, "n_per_cell", minimum=1)
    reps = check_int(reps, "reps", minimum=1)
    check_option(scores, "scores", ("latent", "items"))
    p = load_params(params)
    lat = check_latent(deep_merge(p["latent"], latent or {}), p["_source"] + " (latent overrides)")
    rng, used = as_generator(seed)
    x, w = _cells(n_per_cell, None, rng)
    x = np.tile(x, reps)
    w = np.tile(w, reps)
    values = _structural(x, w, lat, rng)
    if scores == "items":
        values = {s: _items(values[s], p["measurement"][s], rng).mean(axis=1) for s in SCALES}
    out = pd.DataFrame({
        "rep": np.repeat(np.arange(reps), 6 * n_per_cell),
        "valence": pd.Categorical.from_codes(x, categories=list(VALENCES)),
        "response": pd.Categorical.from_codes(w, categories=list(RESPONSES)),
        **values,
    })
    out.attrs["seed"] = used
    return out


def population_effects(params: str | Path | Mapping[str, Any] | None = None, *,
                       latent: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """True effects of comment valence per influencer response under a parameter set.

    Parameters
    ----------
    params : path, mapping or None
        Simulation parameters; ``None`` reads ``data/synthetic/params.yaml``.
    latent : mapping, optional
        Overrides of the ``latent`` section, as in :func:`simulate_latent`.

    Returns
    -------
    pandas.DataFrame
        One row per response level with columns ``response``, ``a1`` (valence -> PSR),
        ``d21`` (PSR -> PK), ``b2`` (PK -> attitude), ``serial_indirect`` (a1 d21 b2),
        ``indirect_psr`` (a1 b1, via PSR only) on the latent scale.

    Examples
    --------
    >>> from studylib.simulate import population_effects
    >>> population_effects()[["response", "serial_indirect"]]
      response  serial_indirect
    0     none             0.18
    1     like            -0.15
    2    reply            -0.30
    """
    p = load_params(params)
    lat = check_latent(deep_merge(p["latent"], latent or {}), p["_source"])
    a1 = np.array([lat["psr"]["valence"][r] for r in RESPONSES], dtype=float)
    d21, b1, b2 = lat["pk"]["psr"], lat["attitude"]["psr"], lat["attitude"]["pk"]
    return pd.DataFrame({"response": list(RESPONSES), "a1": a1, "d21": d21, "b2": b2,
                         "serial_indirect": a1 * d21 * b2, "indirect_psr": a1 * b1})


def _response_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    ids = ["R_" + "".join(row) for row in _ALPHABET[rng.integers(0, 62, size=(n, 15))]]
    if len(set(ids)) != n:  # astronomically unlikely; deterministic given the seed
        ids = [f"{rid}{i}" for i, rid in enumerate(ids)]
    return np.array(ids)


def simulate_study(
    params: str | Path | Mapping[str, Any] | None = None,
    *,
    n: int | None = None,
    seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    """Simulate a raw questionnaire export of the 3 x 2 influencer experiment.

    Parameters
    ----------
    params : path, mapping or None
        Generating parameters (see ``data/synthetic/params.yaml``, which ``None`` reads).
    n : int, optional
        Number of respondents (before exclusions); default ``params["n"]``.
    seed : int, numpy.random.Generator or None
        Random seed. ``None`` uses ``params["seed"]`` (so ``simulate_study()`` reproduces
        the shipped data set), or a fresh seed if the parameters have none. The seed used
        is stored in ``.attrs["seed"]``. The same seed gives the same frame, bit for bit.

    Returns
    -------
    pandas.DataFrame
        One row per respondent, columns as a Qualtrics export names them: ``StartDate``,
        ``EndDate``, ``Progress``, ``Duration (in seconds)``, ``Finished``, ``ResponseId``,
        ``UserLanguage``, the condition columns ``Valence`` and ``Response`` (text labels),
        ``PSR_1``..``PSR_8``, ``PK_1``..``PK_5``, ``ATTN`` (attention check),
        ``ATT_1``..``ATT_5``, ``MC_val``, ``MC_resp`` (text), ``Age``, ``Gender`` (text),
        ``Follow`` (text). Answers are nullable integers (``Int64``; missing = ``<NA>``).
        Column names and labels come from the parameters.

    Raises
    ------
    SpecError
        The parameters are invalid (the message names the file and field).
    OptionError
        ``n`` is not a whole number >= 6, or the seed is invalid.

    See Also
    --------
    simulate_latent : fast path (conditions and construct scores only).
    studylib.io.write_data : write the export as CSV, Qualtrics CSV or SPSS .sav.

    Notes
    -----
    Respondents are assigned to the six cells in balanced random order. With
    :math:`x_i = 1` for positive and 0 for negative comments and :math:`w_i` the influencer
    response (none, like, reply), attentive respondents' latent variables are

    .. math::

        \\mathrm{PSR}_i &= \\alpha_{w_i} + \\beta_{w_i} x_i + \\sigma_1 \\varepsilon_{1i} \\\\
        \\mathrm{PK}_i &= \\gamma_0 + d_{21}\\,\\mathrm{PSR}_i + \\gamma_x x_i
                          + \\sigma_2 \\varepsilon_{2i} \\\\
        \\mathrm{ATT}_i &= \\delta_0 + b_1 \\mathrm{PSR}_i + b_2 \\mathrm{PK}_i + c' x_i
                          + \\sigma_3 \\varepsilon_{3i}

    with independent standard normal :math:`\\varepsilon`. Only the valence effect on PSR,
    :math:`\\beta_w`, depends on the response (PROCESS model 83), so the true serial
    indirect effect given :math:`w` is :math:`\\beta_w d_{21} b_2`
    (:func:`population_effects`). Item :math:`j` of scale :math:`s` with latent
    :math:`\\eta_{is}` has the response tendency

    .. math::

        y^*_{ij} = \\mu_s + \\lambda_j \\eta_{is} + \\sqrt{1-\\lambda_j^2}\\, e_{ij},
        \\qquad c_{ij} = 1 + \\sum_{k=1}^{6} [\\, y^*_{ij} > \\tau_{sk} \\,]

    and the answer written is :math:`c_{ij}`, or :math:`8 - c_{ij}` for a reverse-keyed
    item. Attentive respondents skip each item with probability ``missing_item_rate``.
    Careless types (mutually exclusive, with the rates in ``careless``): straight-liners
    give one answer to every scale item (reverse-keyed included) and take a fraction of
    the median time; random responders answer uniformly and fail the attention check;
    speeders answer uniformly in 12-35% of the median time; skippers leave each scale item
    empty with probability ``skip_prob``. The attention check (correct answer 2) is passed
    by attentive respondents with probability ``p_correct_attentive``. Perceived valence
    is a rounded normal around the condition's mean; the recalled response matches the
    condition with probability ``p_correct``. Ages are rounded normal within the target
    range, except a share ``outside_rate`` drawn from 15-17 and 31-45. Durations are
    log-normal around ``median``.

    Examples
    --------
    >>> from studylib.simulate import simulate_study
    >>> raw = simulate_study(n=60, seed=3)
    >>> # R: no direct equivalent (cf. simstudy / lavaan::simulateData plus cut())
    >>> raw.shape
    (60, 33)
    >>> raw[["ResponseId", "Valence", "Response", "PSR_1", "Gender"]].head(2)
      ResponseId            Valence     Response  PSR_1 Gender
    0  R_...  ...
    >>> raw.equals(simulate_study(n=60, seed=3))
    True
    """
    p = load_params(params)
    n = int(p.get("n", 300)) if n is None else check_int(n, "n", minimum=6)
    if seed is None:
        seed = p.get("seed")
    rng, used = as_generator(seed)

    # 1. conditions and respondent types
    x, w = _cells(None, n, rng)
    c = p["careless"]
    rates = [c["straight_liner_rate"], c["random_rate"], c["speeder_rate"], c["skipper_rate"]]
    kind = rng.choice(len(_TYPES), size=n, p=[1.0 - sum(rates), *rates])
    attentive_like = (kind == 0) | (kind == 4)  # answer from the model
    uniform = (kind == 2) | (kind == 3)
    straight = kind == 1

    # 2. latent variables and items
    eta = _structural(x, w, p["latent"], rng)
    straight_value = rng.integers(1, 8, size=n)
    columns: dict[str, Any] = {}
    for scale in SCALES:
        spec = p["measurement"][scale]
        cat = _items(eta[scale], spec, rng)
        rev = np.array([item in spec["reverse"] for item in spec["items"]])
        answer = np.where(rev, 8 - cat, cat).astype(float)
        answer[uniform] = rng.integers(1, 8, size=(int(uniform.sum()), len(spec["items"])))
        answer[straight] = straight_value[straight, None]
        skip_p = np.where(kind == 4, c["skip_prob"], np.where(kind == 0, p.get("missing_item_rate", 0.0), 0.0))
        answer[rng.random(answer.shape) < skip_p[:, None]] = np.nan
        for j, item in enumerate(spec["items"]):
            columns[item] = answer[:, j]

    # 3. attention check
    ac = p["attention_check"]
    correct = int(ac["correct"])
    wrong = rng.integers(1, 7, size=n)
    wrong = wrong + (wrong >= correct)  # uniform over the six wrong answers
    p_ok = np.select([attentive_like, kind == 3], [ac["p_correct_attentive"], ac["p_correct_speeder"]], 0.0)
    attn = np.where(rng.random(n) < p_ok, correct, wrong).astype(float)
    attn[straight] = straight_value[straight]

    # 4. manipulation checks
    mv = p["manipulation_checks"]["valence"]
    means = np.array([mv["mean"][v] for v in VALENCES], dtype=float)
    mc_val = np.clip(np.rint(means[x] + mv["sd"] * rng.standard_normal(n)), 1, 7)
    mc_val[uniform] = rng.integers(1, 8, size=int(uniform.sum()))
    mc_val[straight] = straight_value[straight]
    mr = p["manipulation_checks"]["response"]
    u = rng.random(n)
    other = (w + rng.integers(1, 3, size=n)) % 3  # one of the two wrong reactions
    recalled = np.where(u < mr["p_correct"], w, np.where(u < mr["p_correct"] + mr["p_dont_remember"], 3, other))
    recalled[uniform] = rng.integers(0, 4, size=int(uniform.sum()))
    mr_labels = {int(k): str(v) for k, v in mr["labels"].items()}
    mc_resp = np.array([mr_labels[int(r) + 1] for r in recalled], dtype=object)

    # 5. demographics, follower status
    age_p = p["demographics"]["age"]
    age = np.clip(np.rint(age_p["mean"] + age_p["sd"] * rng.standard_normal(n)), age_p["min"], age_p["max"])
    outside_pool = np.r_[np.arange(15, age_p["min"]), np.arange(age_p["max"] + 1, 46)]
    out_of_range = rng.random(n) < age_p["outside_rate"]
    age[out_of_range] = rng.choice(outside_pool, size=int(out_of_range.sum()))
    g = p["demographics"]["gender"]
    g_labels = [str(v) for v in g["labels"].values()]
    gender = np.array(g_labels, dtype=object)[rng.choice(len(g_labels), size=n, p=g["probs"])]
    f = p["follower"]
    f_labels = {int(k): str(v) for k, v in f["labels"].items()}
    follows = np.where(rng.random(n) < f["p_follower"], 1, 0)
    follower = np.array([f_labels[v] for v in follows], dtype=object)

    # 6. completion time, timestamps, ids
    d = p["duration"]
    dur = d["median"] * np.exp(d["sdlog"] * rng.standard_normal(n))
    dur[straight] *= d["straight_liner_factor"]
    lo, hi = d["speeder_fraction"]
    speed = kind == 3
    dur[speed] = d["median"] * rng.uniform(lo, hi, size=int(speed.sum()))
    dur = np.maximum(np.rint(dur), 30).astype(np.int64)
    e = p["export"]
    gaps = np.rint(rng.exponential(e["mean_gap_s"], size=n)).astype(np.int64)
    start = pd.Timestamp(e["start"]) + pd.to_timedelta(np.cumsum(gaps), unit="s")
    end = start + pd.to_timedelta(dur, unit="s")
    langs = list(e["languages"])
    lang = np.array(langs, dtype=object)[rng.choice(len(langs), size=n, p=list(e["languages"].values()))]
    ids = _response_ids(n, rng)

    design = p["design"]
    val_labels = [str(design["valence"]["levels"][v]) for v in VALENCES]
    resp_labels = [str(design["response"]["levels"][r]) for r in RESPONSES]

    def ints(values: np.ndarray) -> pd.Series:
        return pd.Series(values, dtype="Float64").astype("Int64")

    def text(values: Any) -> pd.Series:
        return pd.Series(values, dtype="str")

    frame: dict[str, pd.Series] = {
        "StartDate": text(start.strftime("%Y-%m-%d %H:%M:%S")),
        "EndDate": text(end.strftime("%Y-%m-%d %H:%M:%S")),
        "Progress": ints(np.full(n, 100.0)),
        d["column"]: ints(dur.astype(float)),
        "Finished": ints(np.ones(n)),
        e["id_column"]: text(ids),
        "UserLanguage": text(lang),
        design["valence"]["column"]: text(np.array(val_labels, dtype=object)[x]),
        design["response"]["column"]: text(np.array(resp_labels, dtype=object)[w]),
    }
    for scale in ("psr", "pk"):
        for item in p["measurement"][scale]["items"]:
            frame[item] = ints(columns[item])
    frame[ac["column"]] = ints(attn)
    for item in p["measurement"]["attitude"]["items"]:
        frame[item] = ints(columns[item])
    frame[mv["column"]] = ints(mc_val)
    frame[mr["column"]] = text(mc_resp)
    frame[age_p["column"]] = ints(age.astype(float))
    frame[g["column"]] = text(gender)
    frame[f["column"]] = text(follower)
    out = pd.DataFrame(frame)
    out.attrs["seed"] = used
    return out
