"""The measurement model of a study (internal): the CFA of a ``kind: measurement`` model of
the study file, and the pipeline step that puts its tables into the report.

A study file declares it as (see ``notes/STUDY_SCHEMA.md``)::

    models:
      measurement: {kind: measurement, scales: [a, b, c], std_lv: false, boot: 0,
                    missing: listwise, conf: 0.95, label: Measurement model}

:func:`measurement_model` fits it with the study's own scale definitions (reverse-keyed
items recoded as scoring does), bootstrapped from the study's seed;
:func:`step_measurement` is the step the pipeline calls. It talks to the pipeline's table
collector through the small protocol :class:`TableSink`:

- ``sink.section(title, intro=markup)`` opens the report section (``intro``: the results
  sentences in the markup of :mod:`studylib.report.rich`);
- ``sink.table(name, tidy, table)`` hands over one table: its machine name (file stem),
  the tidy unrounded DataFrame (the CSV and ``results.json`` content) and the
  :class:`~studylib.report.apa.ApaTable` shown in the report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pandas as pd

from .errors import OptionError, SpecError

__all__ = ["TableSink", "measurement_model", "step_measurement", "MEASUREMENT_OPTIONS"]

#: The options of a ``kind: measurement`` model and their defaults (``scales``: every scale
#: of the study; ``boot = 0``: no bootstrap).
MEASUREMENT_OPTIONS: Mapping[str, Any] = {"scales": None, "std_lv": False, "boot": 0, "missing": "listwise",
                                          "conf": 0.95, "htmt_mean": "geometric"}
_IGNORED = ("label", "kind")


class TableSink(Protocol):
    """What :func:`step_measurement` needs of the pipeline's table collector."""

    def section(self, title: str, *, intro: str | None = None) -> None:
        """Open a report section; ``intro`` is markup (results sentences)."""

    def table(self, name: str, tidy: pd.DataFrame, table: Any) -> None:
        """Write one table: machine ``name``, the tidy DataFrame, the ApaTable for the report."""


def _where(study: Any, spec: Any, key: str | None = None) -> str:
    path = getattr(study, "path", None)
    block = f"models.{spec.name}" + (f".{key}" if key else "")
    return f"{path if path else '<study dict>'}: {block}"


def _options(study: Any, spec: Any) -> dict[str, Any]:
    if getattr(spec, "kind", None) != "measurement":
        raise SpecError(f"{_where(study, spec, 'kind')}: a measurement model needs kind 'measurement'; "
                        f"got {getattr(spec, 'kind', None)!r}")
    raw = dict(getattr(spec, "options", {}) or {})
    unknown = sorted(k for k in raw if k not in MEASUREMENT_OPTIONS and k not in _IGNORED)
    if unknown:
        raise SpecError(f"{_where(study, spec)}: unknown key(s) {unknown} for a measurement model; allowed: "
                        f"{[*MEASUREMENT_OPTIONS, 'label']}")
    opts = {**MEASUREMENT_OPTIONS, **{k: v for k, v in raw.items() if k in MEASUREMENT_OPTIONS}}
    available = [s.id for s in study.scales]
    scales = opts["scales"]
    if scales is None:
        scales = available
    if isinstance(scales, str) or not isinstance(scales, list | tuple) or not scales:
        raise SpecError(f"{_where(study, spec, 'scales')}: must be a list of the study's scale ids, e.g. "
                        f"{available}; got {scales!r}")
    bad = [s for s in scales if s not in available]
    if bad:
        raise SpecError(f"{_where(study, spec, 'scales')}: names scales that are not in the study's 'scales' "
                        f"block: {bad}; have {available}")
    dup = sorted({s for s in scales if list(scales).count(s) > 1})
    if dup:
        raise SpecError(f"{_where(study, spec, 'scales')}: lists scales more than once: {dup}")
    opts["scales"] = list(scales)
    return opts


def measurement_model(data: pd.DataFrame, study: Any, spec: Any, *, boot: int | None = None,
                      seed: Any = None, std_lv: bool | None = None, conf: float | None = None,
                      htmt_mean: str | None = None) -> Any:
    """Fit the CFA of a study's ``kind: measurement`` model.

    Parameters
    ----------
    data : DataFrame
        Item-level data with the study's item ids as columns (e.g. ``StudyData.kept``, the
        respondents kept after exclusions). Only read.
    study : Study
        The study: its scale definitions (items, reverse keys, range) and its seed.
    spec : ModelSpec
        The model: ``kind == "measurement"``, ``options`` with ``scales`` (ids of the
        study's scales, one factor each; default all), ``std_lv`` (False: marker
        variable), ``boot`` (0, or >= 1000 resamples for CIs of CR, AVE and HTMT),
        ``missing`` ("listwise"), ``conf`` (0.95), ``htmt_mean`` ("geometric").
    boot, std_lv, conf, htmt_mean : optional
        Replace the model's option (e.g. from a command line, or the pipeline's quick
        mode); None keeps the model's.
    seed : int, optional
        Replaces the study's seed for the bootstrap.

    Returns
    -------
    CFAResult
        As :func:`studylib.cfa`; each factor is named by its scale id.

    Raises
    ------
    SpecError
        The model is not a measurement model, has an unknown key, names a scale the study
        does not have, scales that cannot form a CFA (a lone factor of two items, too few
        respondents), or one of its options has a value :func:`studylib.cfa` does not
        allow (the message names the study file and the key).
    OptionError
        A replacing option (``boot=`` ... given here) has a value that is not allowed.
    ColumnError, DataError, ModelError
        From :func:`studylib.cfa` (items missing from ``data``, answers outside a scale's
        range, no convergence).

    Examples
    --------
    >>> from studylib import load_study, load_synthetic
    >>> from studylib.study import ModelSpec
    >>> study = load_study()
    >>> spec = ModelSpec(name="measurement", kind="measurement", options={"scales": ["psr", "pk"]})
    >>> res = measurement_model(load_synthetic("clean"), study, spec)
    >>> res.spec.factors, res.n, round(res.fit.cfi, 3)
    (('psr', 'pk'), 218, 1.0)
    """
    from .measurement import cfa

    opts = _options(study, spec)
    given = {k: v for k, v in {"boot": boot, "std_lv": std_lv, "conf": conf, "htmt_mean": htmt_mean}.items()
             if v is not None}
    opts.update(given)
    by_id = {s.id: s for s in study.scales}
    factors = {sid: by_id[sid] for sid in opts["scales"]}
    use_seed = seed if seed is not None else getattr(study, "seed", None)
    try:
        return cfa(data, factors, missing=opts["missing"], std_lv=opts["std_lv"], boot=opts["boot"],
                   seed=use_seed if opts["boot"] else None, conf=opts["conf"], htmt_mean=opts["htmt_mean"])
    except OptionError as exc:  # the message starts with the option's name: "boot must be ..."
        key = str(exc).split(" ", 1)[0]
        if key in given or key == "seed":  # not the study file's value
            raise
        raise SpecError(f"{_where(study, spec, key if key in MEASUREMENT_OPTIONS else None)}: {exc}") from exc
    except SpecError as exc:  # the factors (the model's scales) cannot form a CFA
        raise SpecError(f"{_where(study, spec, 'scales')}: {exc}") from exc


def step_measurement(sd: Any, col: TableSink, spec: Any, *, boot: int | None = None,
                     seed: Any = None) -> dict[str, Any]:
    """The pipeline step of one measurement model: fit, section with the results sentences, tables.

    Parameters
    ----------
    sd : StudyData
        ``.kept`` (item-level data after exclusions), ``.study``, ``.synthetic``.
    col : TableSink
        The table collector (see the module docstring): gets one ``section`` and the
        tables ``<model>_fit``, ``<model>_loadings``, ``<model>_validity`` and, when
        bootstrapped, ``<model>_htmt``, each as (name, tidy DataFrame, ApaTable).
    spec : ModelSpec
        The ``kind: measurement`` model.
    boot, seed : optional
        Overrides (see :func:`measurement_model`).

    Returns
    -------
    dict
        For ``results.json``: ``model``, ``n``, ``n_dropped``, ``fit`` (every index),
        ``validity`` (records per factor), ``tables`` (names, in order), ``sentence``
        (plain text) and ``options`` (as used, with the seed).
    """
    from .report.rich import to_plain
    from .report.sections import measurement_part

    part = measurement_part(sd, spec, boot=boot, seed=seed)
    res, sentence = part.results["cfa"], part.sentences[0]
    title = getattr(spec, "label", "") or "Measurement model (confirmatory factor analysis)"
    col.section(title, intro=sentence)
    for t in part.tables:
        col.table(t.name, t.tidy, t.table)
    tables = [t.table for t in part.tables]
    return {"model": spec.name, "n": res.n, "n_dropped": res.n_dropped, "fit": res.fit.to_dict(),
            "validity": res.validity.to_dict(orient="records"), "tables": [t.name for t in tables],
            "sentence": to_plain(sentence), "options": dict(res.options)}
