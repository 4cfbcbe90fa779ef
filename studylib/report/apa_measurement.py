"""APA 7 tables and results sentences of a confirmatory factor analysis (:func:`studylib.cfa`).

From one :class:`~studylib.measurement.CFAResult`:

- :func:`fit_table`: χ², *df*, *p*, χ²/*df*, CFI, TLI, RMSEA with its 90% CI, SRMR, *n*
  (one row per model; give several results to compare models);
- :func:`loadings_table`: per factor, each item's unstandardized loading *b*, its *SE* and
  the completely standardized loading λ; reverse-keyed items marked (R), marker loadings
  marked as fixed;
- :func:`validity_table`: composite reliability, AVE (with bootstrap CIs when the CFA was
  bootstrapped), MSV and the Fornell-Larcker matrix: √AVE on the diagonal, the latent
  correlations below it and HTMT above it;
- :func:`htmt_table`: each pair's HTMT with its bootstrap CI (only for a bootstrapped CFA);
- :func:`measurement_tables`: all of these in report order; :func:`fit_text` and
  :func:`measurement_sentence`: the results sentence.

The notes name the usual cut-offs (Hu & Bentler, 1999; Fornell & Larcker, 1981; Henseler
et al., 2015) as information for the reader, never as verdicts, and the estimator and the
identification. Fit indices are printed with three decimals and, as is usual for them,
without a leading zero (TLI can exceed 1 and is then printed as 1.xxx).

References
----------
Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance structure
analysis: Conventional criteria versus new alternatives. *Structural Equation Modeling*,
6(1), 1-55. https://doi.org/10.1080/10705519909540118

Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
unobservable variables and measurement error. *Journal of Marketing Research*, 18(1),
39-50. https://doi.org/10.1177/002224378101800104

Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
discriminant validity in variance-based structural equation modeling. *Journal of the
Academy of Marketing Science*, 43(1), 115-135. https://doi.org/10.1007/s11747-014-0403-8

Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 - an improved criterion for assessing
discriminant validity in structural equation modeling. *Industrial Management & Data
Systems*, 121(12), 2637-2650. https://doi.org/10.1108/IMDS-02-2021-0082

Examples
--------
>>> import studylib
>>> from studylib.report.apa_measurement import fit_table, measurement_sentence
>>> d = studylib.load_synthetic("clean")
>>> qs = studylib.load_questionnaires()
>>> res = studylib.cfa(d, [qs["psr"], qs["pk"], qs["attitude"]])
>>> t = fit_table(res)
>>> t.header
('Model', 'χ²', '*df*', '*p*', 'χ²/*df*', 'CFI', 'TLI', 'RMSEA', 'RMSEA 90% CI [*LL*, *UL*]', 'SRMR', '*n*')
>>> t.rows[0]
('Three-factor model', '164.88', '132', '.028', '1.25', '.985', '.983', '.035', '[.013, .051]', '.039', '203')
>>> print(measurement_sentence(res))  # doctest: +NORMALIZE_WHITESPACE
The three-factor model (PSR, PK and attitude; 18 items) was fitted by maximum likelihood,
χ²(132, *N* = 203) = 164.88, *p* = .028, CFI = .985, TLI = .983, RMSEA = .035, 90% CI
[.013, .051], SRMR = .039. Composite reliability ranged from .85 to .92 and the average
variance extracted ranged from .54 to .71; the largest HTMT, between PSR and PK, was .68.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..errors import InputTypeError
from .apa import (
    CI_NOTE,
    SYNTHETIC_TABLE_NOTE,
    ApaTable,
    apa,
    ci_header,
    format_count,
    format_df,
    join_note,
)
from .labels import Labels, _lower_first, as_labels
from .rich import escape
from .sentences import chi2_sentence, ci_text
from .tables import format_number

__all__ = ["fit_table", "loadings_table", "validity_table", "htmt_table", "measurement_tables",
           "fit_text", "measurement_sentence", "estimator_note", "model_name", "FIT_CUTOFFS",
           "VALIDITY_CUTOFFS"]

LabelsLike = Labels | Mapping[str, str] | None

#: The usual cut-offs of the global fit indices, named in the fit table's note (information, not verdicts).
FIT_CUTOFFS = ("Usual cut-offs (Hu & Bentler, 1999), given as information and not as verdicts: "
               "CFI ≥ .95, TLI ≥ .95, RMSEA ≤ .06, SRMR ≤ .08")
#: The usual cut-offs of convergent and discriminant validity, named in the validity table's note.
VALIDITY_CUTOFFS = ("Usual cut-offs, given as information and not as verdicts: CR ≥ .70 and AVE ≥ .50 "
                    "(Fornell & Larcker, 1981); √AVE above the factor's correlations with the other "
                    "factors (Fornell-Larcker criterion); HTMT < .85, or < .90 for conceptually similar "
                    "constructs (Henseler et al., 2015)")

_NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
_FIT_NOTE = ("χ² = maximum-likelihood chi-square test of exact fit; CFI = comparative fit index; "
             "TLI = Tucker-Lewis index; RMSEA = root mean square error of approximation, with its "
             "{conf} CI; SRMR = standardized root mean square residual")


def _check(result: Any) -> Any:
    from ..measurement import CFAResult

    if not isinstance(result, CFAResult):
        raise InputTypeError(f"result must be a CFAResult (from studylib.cfa); got {type(result).__name__}")
    return result


def _fit3(x: Any) -> str:
    """A fit index: three decimals, no leading zero."""
    return format_number(x, 3, leading_zero=False)


def _r2(x: Any) -> str:
    """A correlation-like value: two decimals, no leading zero."""
    return format_number(x, 2, leading_zero=False)


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _level(conf: float) -> str:
    pct = 100 * float(conf)
    return f"{pct:.0f}%" if pct.is_integer() else f"{pct:g}%"


def model_name(result: Any) -> str:
    """``"Three-factor model"`` (number words up to twelve, then digits: ``"13-factor model"``).

    >>> import studylib
    >>> d = studylib.load_synthetic("clean")
    >>> model_name(studylib.cfa(d, {"a": ["psr_01", "psr_02", "psr_04"]}))
    'One-factor model'
    """
    m = len(_check(result).spec.factors)
    word = _NUMBERS[m - 1] if m <= len(_NUMBERS) else str(m)
    return f"{word[:1].upper()}{word[1:]}-factor model"


def estimator_note(result: Any) -> str:
    """The estimator, the identification and the *n* used, as a note sentence.

    >>> import studylib
    >>> d = studylib.load_synthetic("clean")
    >>> print(estimator_note(studylib.cfa(d, {"a": ["psr_01", "psr_02", "psr_04"]}, std_lv=True)))
    Estimation: maximum likelihood (ML; lavaan's defaults, expected-information standard errors); identification: factor variances fixed to 1. *n* = respondents who answered every item (listwise deletion; 10 left out for a missing answer, none imputed).
    """
    res = _check(result)
    ident = ("factor variances fixed to 1" if res.options.get("std_lv")
             else "the first loading of each factor fixed to 1 (marker variable)")
    dropped = res.n_dropped
    left = f"{format_count(dropped)} left out for a missing answer" if dropped else "none left out"
    return join_note("Estimation: maximum likelihood (ML; lavaan's defaults, expected-information standard "
                     f"errors); identification: {ident}",
                     f"*n* = respondents who answered every item (listwise deletion; {left}, none imputed)")


def _data_note(data_note: str | None, synthetic: bool) -> str:
    return join_note(data_note, SYNTHETIC_TABLE_NOTE if synthetic else None)


def fit_table(result: Any, *, model_label: str | None = None, title: str = "Fit of the Measurement Model",
              note: str | None = None, data_note: str | None = None, synthetic: bool = False,
              name: str = "cfa_fit") -> ApaTable:
    """Global fit of one CFA, or of several to compare them: one row per model.

    Parameters
    ----------
    result : CFAResult or mapping of str to CFAResult
        One fitted CFA, or model label -> CFA (rows in the mapping's order).
    model_label : str, optional
        The row label of a single result (default :func:`model_name`, e.g. "Three-factor model").
    title, note, name : str, optional
        Table title, extra note text, machine name.
    data_note : str, optional
        A sentence about the data added to the note (e.g. the study's synthetic-data note).
    synthetic : bool, default False
        Add the synthetic-data sentence to the note.

    Returns
    -------
    ApaTable
        Columns Model, χ², *df*, *p*, χ²/*df*, CFI, TLI, RMSEA, RMSEA 90% CI, SRMR, *n*. The
        note defines the indices, names their usual cut-offs, the estimator and the
        identification (of the first model).
    """
    if isinstance(result, Mapping):
        models = {str(k): _check(v) for k, v in result.items()}
        if not models:
            raise InputTypeError("result must hold at least one CFAResult")
    else:
        models = {model_label or model_name(result): _check(result)}
    rows = []
    for label, res in models.items():
        f = res.fit
        rows.append({"model": label, "chisq": f.chisq, "df": f.df, "p": f.p,
                     "chisq_df": f.chisq / f.df if f.df > 0 else float("nan"), "cfi": f.cfi, "tli": f.tli,
                     "rmsea": f.rmsea, "rmsea_ci_low": f.rmsea_ci_low, "rmsea_ci_high": f.rmsea_ci_high,
                     "srmr": f.srmr, "n": f.n})
    tidy = pd.DataFrame(rows)
    first = next(iter(models.values()))
    conf = first.fit.rmsea_conf
    fit3 = {c: _fit3 for c in ("cfi", "tli", "rmsea", "srmr", "rmsea_ci_low")}
    t = apa(tidy, title=title, name=name, conf=conf,
            headers={"model": "Model", "chisq": "χ²", "chisq_df": "χ²/*df*", "cfi": "CFI", "tli": "TLI",
                     "rmsea": "RMSEA", "srmr": "SRMR", "rmsea_ci_low": ci_header(conf, "RMSEA")},
            formats={"model": "text", "chisq": "number", "chisq_df": "number", **fit3})
    just = ("*df* = 0: the model is just identified; it reproduces the observed covariances exactly, so its "
            "fit cannot be tested" if any(r.fit.df == 0 for r in models.values()) else None)
    parts = [_FIT_NOTE.format(conf=_level(conf)), FIT_CUTOFFS, just, estimator_note(first), note, CI_NOTE,
             _data_note(data_note, synthetic)]
    return ApaTable(t.title, t.header, t.rows, t.align, join_note(*parts), name,
                    meta={"tidy": tidy})


def _item_label(lab: Labels, item: str, reversed_: bool) -> str:
    text = escape(lab.variables.get(str(item), str(item)))
    return text + (" (R)" if reversed_ else "")


def loadings_table(result: Any, labels: LabelsLike = None, *, wording: Mapping[str, str] | None = None,
                   title: str = "Factor Loadings of the Measurement Model", note: str | None = None,
                   data_note: str | None = None, synthetic: bool = False, digits: int = 2,
                   name: str = "cfa_loadings") -> ApaTable:
    """Each item's loading: unstandardized *b* with *SE*, and the standardized loading λ.

    Rows are grouped by factor (a heading row with the factor's label); an item id is
    shown as it is unless ``labels`` gives it a label; ``(R)`` marks a reverse-keyed item
    (it entered the CFA recoded). A marker loading fixed to 1 shows ``1.00``^a^ and no *SE*.

    Parameters
    ----------
    result : CFAResult
    labels : Labels or mapping, optional
        Display labels of the factors (and of items, if wanted).
    wording : mapping, optional
        Item id -> item text, shown after the id.
    digits : int, default 2
        Decimals of *b*, *SE* and λ.

    Returns
    -------
    ApaTable
        Columns Item, *b*, *SE*, λ; one group per factor.
    """
    res = _check(result)
    lab = as_labels(labels)
    wording = dict(wording or {})
    rows, groups = [], []
    last = None
    any_fixed = any_rev = False
    for r in res.loadings.itertuples(index=False):
        if r.factor != last:
            groups.append((len(rows), escape(lab.var(r.factor))))
            last = r.factor
        item = _item_label(lab, r.item, bool(r.reversed))
        if r.item in wording:
            item += ". " + escape(wording[r.item])
        fixed = _missing(r.se)
        any_fixed |= fixed
        any_rev |= bool(r.reversed)
        b = format_number(r.estimate, digits) + ("^a^" if fixed else "")
        rows.append((item, b, "—" if fixed else format_number(r.se, digits),
                     format_number(r.std_estimate, digits, leading_zero=False)))
    conf = res.options.get("conf", 0.95)
    parts = ["*b* = unstandardized loading; λ = completely standardized loading (lavaan's std.all); all "
             f"free loadings are tested against 0 by Wald *z* tests (their *p* values and {_level(conf)} CIs "
             "are in the tidy table)"]
    if any_rev:
        parts.append("(R) = reverse-keyed item, recoded (scale minimum + maximum − answer) before the analysis")
    if any_fixed:
        parts.append("^a^ Fixed to 1 to identify the factor (marker variable); no *SE*")
    parts += [estimator_note(res), note, _data_note(data_note, synthetic)]
    return ApaTable(title, ("Item", "*b*", "*SE*", "λ"), tuple(rows), ("l", "c", "c", "c"), join_note(*parts),
                    name, (), tuple(groups), meta={"tidy": res.loadings})


def _ci_cell(lo: Any, hi: Any) -> str:
    return "" if _missing(lo) or _missing(hi) else f"[{_r2(lo)}, {_r2(hi)}]"


def _htmt_definition(res: Any) -> str:
    if res.options.get("htmt_mean", "geometric") == "arithmetic":
        return ("HTMT = heterotrait-monotrait ratio of the item correlations (arithmetic means; "
                "Henseler et al., 2015)")
    return ("HTMT = heterotrait-monotrait ratio of the item correlations (HTMT2, geometric means; "
            "Roemer et al., 2021)")


def _boot_note(res: Any) -> str | None:
    o = res.options
    if not o.get("boot"):
        return None
    failed = o.get("boot_failed", 0)
    left = (f"; {format_count(failed)} resamples whose CFA did not converge are left out of the CR and AVE "
            "intervals" if failed else "")
    seed = f", seed {o['seed']}" if o.get("seed") is not None else ""
    return (f"Values in square brackets are {_level(o.get('conf', 0.95))} percentile bootstrap CIs "
            f"(*B* = {int(o['boot']):,} resamples{seed}){left}")


def validity_table(result: Any, labels: LabelsLike = None, *,
                   title: str = "Convergent and Discriminant Validity of the Factors", note: str | None = None,
                   data_note: str | None = None, synthetic: bool = False,
                   name: str = "cfa_validity") -> ApaTable:
    """CR, AVE (with bootstrap CIs), MSV and the Fornell-Larcker / HTMT matrix, one row per factor.

    Columns: Factor (numbered), *k* (items), CR, AVE, MSV, then one column per factor: √AVE
    in parentheses on the diagonal, the latent (factor) correlations below it and HTMT
    above it. When the CFA was bootstrapped (``boot > 0``) CR and AVE get a column with
    their percentile CIs each (the CIs of HTMT are in :func:`htmt_table`).

    Notes
    -----
    CR is semTools' ``compRelSEM`` (ω from the CFA loadings, observed total variance), AVE
    semTools' ``AVE``, MSV the largest squared latent correlation of the factor, HTMT
    semTools' ``htmt`` (see :data:`studylib.measurement._cfa_result.DEFINITIONS`).
    """
    res = _check(result)
    lab = as_labels(labels)
    v = res.validity
    names = list(res.spec.factors)
    m = len(names)
    boot = bool(res.options.get("boot"))
    conf = res.options.get("conf", 0.95)
    header = ["Factor", "*k*", "CR", *([ci_header(conf, "CR")] if boot else []), "AVE",
              *([ci_header(conf, "AVE")] if boot else [])]
    has_msv = m > 1
    if has_msv:
        header.append("MSV")
    header += [str(j + 1) for j in range(m)] if m > 1 else []
    corr, ht = res.factor_correlations, res.htmt
    rows = []
    for i, r in enumerate(v.itertuples(index=False)):
        row = [f"{i + 1}. {escape(lab.var(r.factor))}" if m > 1 else escape(lab.var(r.factor)),
               format_count(r.k), _r2(r.cr)]
        if boot:
            row.append(_ci_cell(r.cr_ci_low, r.cr_ci_high))
        row.append(_r2(r.ave))
        if boot:
            row.append(_ci_cell(r.ave_ci_low, r.ave_ci_high))
        if has_msv:
            row.append(_r2(r.msv))
            for j, other in enumerate(names):
                if j < i:
                    row.append(_r2(corr.loc[r.factor, other]))
                elif j == i:
                    row.append(f"({_r2(r.sqrt_ave)})")
                else:
                    row.append(_r2(ht.loc[r.factor, other]))
        rows.append(tuple(row))
    parts = ["*k* = number of items; CR = composite reliability (ω from the CFA loadings; semTools "
             "compRelSEM); AVE = average variance extracted (semTools AVE)"]
    if has_msv:
        parts += ["MSV = maximum shared variance (the largest squared correlation with another factor)",
                  "In the numbered columns: √AVE on the diagonal, in parentheses; latent (factor) correlations "
                  "below the diagonal; HTMT above the diagonal", _htmt_definition(res)]
    parts += [VALIDITY_CUTOFFS if has_msv else "Usual cut-offs, given as information and not as verdicts: "
              "CR ≥ .70, AVE ≥ .50 (Fornell & Larcker, 1981)", _boot_note(res), CI_NOTE if boot else None,
              estimator_note(res), note, _data_note(data_note, synthetic)]
    tidy = v.merge(_matrix_long(res), on="factor", how="left") if has_msv else v
    return ApaTable(title, tuple(header), tuple(rows), ("l",) + ("c",) * (len(header) - 1), join_note(*parts),
                    name, meta={"tidy": tidy})


def _matrix_long(res: Any) -> pd.DataFrame:
    """One column per other factor: ``r:<factor>`` (latent correlation) and ``htmt:<factor>``."""
    names = list(res.spec.factors)
    out = pd.DataFrame({"factor": names})
    for g in names:
        out[f"r:{g}"] = [float(res.factor_correlations.loc[f, g]) for f in names]
    for g in names:
        out[f"htmt:{g}"] = [float(res.htmt.loc[f, g]) for f in names]
    return out


def htmt_table(result: Any, labels: LabelsLike = None, *,
               title: str = "Heterotrait-Monotrait Ratios With Bootstrap Confidence Intervals",
               note: str | None = None, data_note: str | None = None, synthetic: bool = False,
               name: str = "cfa_htmt") -> ApaTable:
    """Each pair of factors: HTMT with its percentile bootstrap CI (a bootstrapped CFA only).

    Raises
    ------
    InputTypeError
        The CFA was fitted with ``boot = 0`` (no intervals), or has one factor (no pairs).
    """
    res = _check(result)
    if not res.options.get("boot"):
        raise InputTypeError("htmt_table needs a bootstrapped CFA (studylib.cfa(..., boot=2000)); this one has "
                             "boot = 0: its HTMT values are in validity_table")
    if len(res.spec.factors) < 2:
        raise InputTypeError("htmt_table needs at least two factors; this CFA has one")
    lab = as_labels(labels)
    pairs = res.htmt_ci.copy()
    pairs["pair"] = [f"{lab.var(a)} – {lab.var(b)}" for a, b in zip(pairs["factor_1"], pairs["factor_2"], strict=True)]
    t = apa(pairs, title=title, columns=["pair", "estimate", "ci_low"], name=name,
            conf=res.options.get("conf", 0.95), headers={"pair": "Factors", "estimate": "HTMT"},
            formats={"pair": "text", "estimate": _r2, "ci_low": _r2})
    parts = [_htmt_definition(res), "Usual cut-offs, given as information and not as verdicts: HTMT < .85, "
             "or < .90 for conceptually similar constructs (Henseler et al., 2015); some authors also ask "
             "that the upper limit of the CI lies below the cut-off", _boot_note(res), CI_NOTE, note,
             _data_note(data_note, synthetic)]
    return ApaTable(t.title, t.header, t.rows, t.align, join_note(*parts), name,
                    meta={"tidy": res.htmt_ci})


def measurement_tables(result: Any, labels: LabelsLike = None, *, data_note: str | None = None,
                       synthetic: bool = False, model_label: str | None = None,
                       prefix: str = "cfa") -> list[ApaTable]:
    """The report's tables of a CFA: fit, loadings, validity (and HTMT CIs when bootstrapped).

    Parameters
    ----------
    result : CFAResult
    labels : Labels or mapping, optional
        Display labels of the factors (e.g. ``Labels.from_study(study)``).
    data_note : str, optional
        A sentence about the data added to every note (the study's ``data_note``).
    synthetic : bool, default False
        Add the synthetic-data sentence to every note.
    model_label : str, optional
        Row label of the fit table (default :func:`model_name`).
    prefix : str, default "cfa"
        Machine names are ``<prefix>_fit``, ``<prefix>_loadings``, ``<prefix>_validity``,
        ``<prefix>_htmt``.

    Returns
    -------
    list of ApaTable
        Each table's ``meta["tidy"]`` holds the unrounded DataFrame it was made from.

    Examples
    --------
    >>> import studylib
    >>> d = studylib.load_synthetic("clean")
    >>> qs = studylib.load_questionnaires()
    >>> tabs = measurement_tables(studylib.cfa(d, [qs["psr"], qs["pk"]]), {"psr": "PSR", "pk": "PK"})
    >>> [t.name for t in tabs]
    ['cfa_fit', 'cfa_loadings', 'cfa_validity']
    >>> tabs[2].header
    ('Factor', '*k*', 'CR', 'AVE', 'MSV', '1', '2')
    >>> tabs[2].rows
    (('1. PSR', '8', '.91', '.56', '.48', '(.75)', '.67'), ('2. PK', '5', '.84', '.53', '.48', '-.69', '(.73)'))
    """
    res = _check(result)
    kw = {"data_note": data_note, "synthetic": synthetic}
    out = [fit_table(res, model_label=model_label, name=f"{prefix}_fit", **kw),
           loadings_table(res, labels, name=f"{prefix}_loadings", **kw),
           validity_table(res, labels, name=f"{prefix}_validity", **kw)]
    if res.options.get("boot") and len(res.spec.factors) > 1:
        out.append(htmt_table(res, labels, name=f"{prefix}_htmt", **kw))
    return out


def fit_text(result: Any) -> str:
    """The statistics of a CFA's fit in APA markup (as :mod:`.sentences` writes them).

    ``χ²(df, *N* = n) = ..., *p* = ..., CFI = ..., TLI = ..., RMSEA = ..., 90% CI [...], SRMR = ...``
    """
    f = _check(result).fit
    chi = chi2_sentence(f.chisq, f.df, f.p, n=f.n) if f.df > 0 else \
        f"χ²({format_df(f.df)}, *N* = {format_count(f.n)}) = {format_number(f.chisq, 2)} (just identified)"
    rmsea = f"RMSEA = {_fit3(f.rmsea)}"
    if not (_missing(f.rmsea_ci_low) or _missing(f.rmsea_ci_high)):
        rmsea += ", " + ci_text(f.rmsea_ci_low, f.rmsea_ci_high, conf=f.rmsea_conf, digits=3, bounded=True)
    return ", ".join([chi, f"CFI = {_fit3(f.cfi)}", f"TLI = {_fit3(f.tli)}", rmsea, f"SRMR = {_fit3(f.srmr)}"])


def _in_text(lab: Labels, name: str) -> str:
    """A label inside a sentence: first letter lowercased unless it is an acronym ("PSR")."""
    return escape(_lower_first(lab.var(name)))


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _span(values: pd.Series, what: str) -> str:
    """``"what ranged from .85 to .92"``, or ``"what was .91"`` when the rounded values agree."""
    lo, hi = _r2(float(values.min())), _r2(float(values.max()))
    if lo == hi:
        return f"{what} was {lo}" + ("" if len(values) == 1 else " for every factor")
    return f"{what} ranged from {lo} to {hi}"


def measurement_sentence(result: Any, labels: LabelsLike = None, *, model_label: str | None = None) -> str:
    """The results sentences of a CFA (APA markup): the model and its fit, then CR, AVE and HTMT.

    Plain description, no verdict: the reader compares the numbers with the cut-offs in the
    tables' notes. With a bootstrap the largest HTMT gets its CI.

    Examples
    --------
    >>> import studylib
    >>> d = studylib.load_synthetic("clean")
    >>> qs = studylib.load_questionnaires()
    >>> res = studylib.cfa(d, [qs["psr"], qs["pk"]], boot=1000, seed=1)
    >>> print(measurement_sentence(res, {"psr": "parasocial relationship", "pk": "persuasion knowledge"}))
    ... # doctest: +NORMALIZE_WHITESPACE
    The two-factor model (parasocial relationship and persuasion knowledge; 13 items) was fitted by
    maximum likelihood, χ²(64, *N* = 218) = 62.31, *p* = .536, CFI = 1.000, TLI = 1.001, RMSEA = .000,
    90% CI [.000, .039], SRMR = .036. Composite reliability ranged from .84 to .91 and the average
    variance extracted ranged from .53 to .56; the HTMT was .67, 95% bootstrap CI [.55, .76].
    """
    res = _check(result)
    lab = as_labels(labels)
    names = list(res.spec.factors)
    label = model_label or model_name(res)
    label = label[:1].lower() + label[1:] if model_label is None else label
    fit = (f"{fit_text(res)}." if res.fit.df > 0 else
           f"*N* = {format_count(res.n)}; with *df* = 0 it is just identified, so its fit cannot be tested.")
    first = (f"The {label} ({_and([_in_text(lab, f) for f in names])}; {len(res.spec.items)} items) was "
             f"fitted by maximum likelihood, {fit}")
    v = res.validity
    second = f"{_span(v['cr'], 'Composite reliability')} and {_span(v['ave'], 'the average variance extracted')}"
    if len(names) > 1:
        ci = res.htmt_ci
        k = int(ci["estimate"].idxmax())
        top = ci.loc[k]
        htmt = f"{_r2(top['estimate'])}"
        if not (_missing(top["ci_low"]) or _missing(top["ci_high"])):
            htmt += ", " + ci_text(top["ci_low"], top["ci_high"], conf=res.options.get("conf", 0.95), bounded=True,
                                   method="bootstrap")
        if len(ci) == 1:
            second += f"; the HTMT was {htmt}"
        else:
            second += (f"; the largest HTMT, between {_in_text(lab, top['factor_1'])} and "
                       f"{_in_text(lab, top['factor_2'])}, was {htmt}")
    return f"{first} {second}."

