"""The whole thesis analysis in one call: ``studylib reproduce`` and ``analyses/run_all.py``.

:func:`reproduce` reads the study configuration (``analyses/study.yaml``) and a data file,
prepares and cleans the data (exclusion flow, demographics per cell), scores the scales and
checks their reliability, tests the manipulations, runs the 3 x 2 ANOVAs (with estimated
marginal means, simple effects, pairwise comparisons, assumption checks and interaction
plots), fits PROCESS model 83 with a bootstrap, checks the thesis's findings one by one and
writes every table, figure and number to a results folder with an HTML report.

Everything is first written to a temporary folder next to the destination and moved there
only when every step succeeded: bad input leaves no partial results. The output is
deterministic: the same data, configuration, number of resamples and seed give byte-identical
files (nothing in them depends on the time or on where the project is checked out).
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import paths
from ._json import to_jsonable, write_json
from ._validation import as_generator, check_int
from ._version import __version__
from .errors import DataError, OptionError, SpecError
from .session import session_info

__all__ = ["reproduce", "ReproduceResult", "StudyData", "load_analysis_data", "demographics",
           "EXAMPLE_BOOT", "OUTPUTS"]

#: Resamples used by the fast ``--example`` mode (the minimum studylib.process accepts).
EXAMPLE_BOOT = 1000
#: The entries :func:`reproduce` writes into the output folder (nothing else is touched).
OUTPUTS = ("report.html", "report.docx", "results.json", "tables", "figures")
#: Written only when asked for (``pdf=True``); a report.pdf of an earlier run is removed.
OPTIONAL_OUTPUTS = ("report.pdf",)

_GENDER = {1: "women", 2: "men", 3: "non_binary", 4: "not_said"}


@dataclass(frozen=True)
class StudyData:
    """The data of a study at each stage of preparation (see :func:`load_analysis_data`).

    Attributes
    ----------
    study : studylib.study.Study
        The parsed study configuration.
    data_path : pathlib.Path
        The data file read.
    prepared : pandas.DataFrame
        Analysis-ready item-level frame (all respondents).
    kept : pandas.DataFrame
        Respondents kept after the exclusion rules, with one column per scale score.
    log : studylib.cleaning.ExclusionLog
        Counts removed by each rule and the n per cell before and after.
    scales : dict
        Scale id -> :class:`studylib.questionnaires.Scale` used for scoring.
    synthetic : bool
        True when the data file is the shipped synthetic data set.
    """

    study: Any
    data_path: Path
    prepared: pd.DataFrame = field(repr=False)
    kept: pd.DataFrame = field(repr=False)
    log: Any = field(repr=False)
    scales: dict[str, Any] = field(repr=False)
    synthetic: bool = False

    def summary(self) -> str:
        """Which configuration and data file were read, and how many respondents were kept.

        The first output of every notebook (a path inside the project is shown relative to
        the project folder).
        """
        config: Any = "(built in code)"
        if self.study.path is not None:
            config = Path(self.study.path).resolve()
            if config.is_relative_to(paths.ROOT):
                config = config.relative_to(paths.ROOT).as_posix()
        return "\n".join([
            f"configuration: {config}",
            f"data file:     {self.data_path.name}" + (" (synthetic)" if self.synthetic else ""),
            f"respondents:   {len(self.prepared)} read, {len(self.kept)} kept after exclusions",
        ])


def _resolve_inputs(data: str | Path | None, config: str | Path | None) -> tuple[Any, Path]:
    from .study import load_study

    config_path = Path(config) if config is not None else paths.STUDY_CONFIG
    if not config_path.is_file():
        raise SpecError(f"study configuration not found: '{config_path}'; pass --config FILE "
                        "(see analyses/study.yaml)")
    study = load_study(config_path)
    if data is None:
        if study.data is None:
            raise SpecError(f"{config_path}: no 'data' file given in the configuration; pass --data FILE")
        data_path = Path(study.data)
    else:
        data_path = Path(data)
    if not data_path.is_file():
        raise DataError(f"data file not found: '{data_path}'; give an existing CSV, Qualtrics CSV or "
                        ".sav export (--data FILE)")
    return study, data_path


def load_analysis_data(data: str | Path | None = None, *, config: str | Path | None = None) -> StudyData:
    """Read, prepare, clean and score a study's data as the thesis analysis does.

    Parameters
    ----------
    data : str or pathlib.Path, optional
        The export to analyse (default: the configuration's ``data``, the shipped
        synthetic data set).
    config : str or pathlib.Path, optional
        The study configuration (default ``analyses/study.yaml``).

    Returns
    -------
    StudyData
        The study, the prepared frame, the kept (cleaned and scored) frame and the log.

    Raises
    ------
    SpecError
        The configuration is invalid or names a scale not defined in ``questionnaires/``.
    DataError, ColumnError
        The data file is missing, lacks required columns or has values not allowed.

    See Also
    --------
    reproduce : the whole analysis on the same data, written to a results folder.

    Examples
    --------
    >>> from studylib.pipeline import load_analysis_data
    >>> sd = load_analysis_data()  # the shipped SYNTHETIC data set
    >>> print(sd.summary())
    configuration: analyses/study.yaml
    data file:     influencer_study.csv (synthetic)
    respondents:   310 read, 252 kept after exclusions
    >>> sd.kept[["valence", "response", "psr", "pk", "attitude"]].shape
    (252, 5)
    """
    from .cleaning import apply_exclusions
    from .io import prepare, read_data
    from .scoring import score_scales

    study, data_path = _resolve_inputs(data, config)
    scales = {scale.id: scale for scale in study.scales}  # resolved and checked by load_study
    raw = read_data(data_path, study=study)
    prepared = prepare(raw, study)
    kept, log = apply_exclusions(prepared, study)
    scores = score_scales(kept, list(scales.values()))
    kept = kept.join(scores[list(scales)])
    synthetic = data_path.resolve().is_relative_to(paths.SYNTHETIC.resolve())
    return StudyData(study, data_path, prepared, kept, log, scales, synthetic)


def demographics(data: pd.DataFrame, *, factors: tuple[str, ...] = ("valence", "response")) -> pd.DataFrame:
    """Sample size, age and gender and follower shares per design cell (and in total).

    Parameters
    ----------
    data : pandas.DataFrame
        Analysis-ready frame with ``age``, ``gender`` (1 woman, 2 man, 3 non-binary, 4 prefer
        not to say) and ``follower`` (1 yes).
    factors : tuple of str, default ("valence", "response")
        The design factors.

    Returns
    -------
    pandas.DataFrame
        One row per cell plus a ``total`` row: the factors, ``n``, ``age_mean``, ``age_sd``,
        ``women``, ``men``, ``non_binary``, ``not_said`` (proportions of the cell, missing
        gender not counted in the denominator) and ``followers`` (proportion).

    Examples
    --------
    >>> d = pd.DataFrame({"valence": ["a", "a", "b"], "response": ["x", "x", "x"],
    ...                   "age": [20, 22, 25], "gender": [1, 2, 1], "follower": [1, 1, 0]})
    >>> demographics(d)[["valence", "n", "age_mean", "women", "followers"]]
      valence  n  age_mean     women  followers
    0       a  2 21.000000  0.500000   1.000000
    1       b  1 25.000000  1.000000   0.000000
    2   total  3 22.333333  0.666667   0.666667
    """
    def one(frame: pd.DataFrame) -> dict[str, Any]:
        gender = pd.to_numeric(frame["gender"], errors="coerce").dropna()
        row: dict[str, Any] = {"n": int(len(frame)),
                               "age_mean": float(pd.to_numeric(frame["age"], errors="coerce").mean()),
                               "age_sd": float(pd.to_numeric(frame["age"], errors="coerce").std(ddof=1))}
        for code, name in _GENDER.items():
            row[name] = float((gender == code).mean()) if len(gender) else float("nan")
        row["followers"] = float(pd.to_numeric(frame["follower"], errors="coerce").mean())
        return row

    rows = []
    for keys, frame in data.groupby(list(factors), observed=True, sort=True):
        keys = keys if isinstance(keys, tuple) else (keys,)
        rows.append({**{f: str(k) for f, k in zip(factors, keys, strict=True)}, **one(frame)})
    rows.append({**{f: "total" if i == 0 else "" for i, f in enumerate(factors)}, **one(data)})
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class ReproduceResult:
    """What :func:`reproduce` wrote.

    Attributes
    ----------
    out : pathlib.Path
        The results folder (``report.html``, ``results.json``, ``tables/``, ``figures/``).
    results : dict
        The content of ``results.json``: every number in the report.
    findings : pandas.DataFrame
        The findings table (:func:`studylib.findings.check_findings`).
    """

    out: Path
    results: dict[str, Any] = field(repr=False)
    findings: pd.DataFrame = field(repr=False)

    def summary(self) -> str:
        """The key findings as a few lines of text (printed by ``studylib reproduce``)."""
        return "\n".join(self.results["summary"])

    def to_dict(self) -> dict[str, Any]:
        """The content of ``results.json``."""
        return self.results


# Staging and publishing go through studylib.output: the results folder is staged next to
# `out` and published with every other output of the run (e.g. the CLI's --json) or not at
# all; only files studylib wrote there (its manifest) are replaced, stale ones of tables/ and
# figures/ removed, and nothing else in `out` is touched.
_OPEN: dict[Path, Any] = {}  # staging folder -> its studylib.output.Outputs


def _legacy_outputs(out: Path) -> list[str]:
    """The outputs of a studylib that kept no manifest in ``out``, as its results.json lists them.

    They are replaced as the older version did (it removed tables/ and figures/ outright), so
    that a results folder written before the manifest existed does not stop the next run.
    """
    from .output import MANIFEST

    if (out / MANIFEST).exists() or not (out / "results.json").is_file():
        return []
    try:
        old = json.loads((out / "results.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(old, dict) or "studylib" not in old:
        return []
    tables = old.get("tables") if isinstance(old.get("tables"), dict) else {}
    figures = old.get("figures") if isinstance(old.get("figures"), list) else []
    return (["report.html", "results.json"]
            + [f"tables/{t}.{ext}" for t in tables for ext in ("csv", "md", "tex")]
            + [f"figures/{f}.{ext}" for f in figures if isinstance(f, str) for ext in ("png", "svg")])


@contextlib.contextmanager
def _staging(out: Path) -> Iterator[Path]:
    """A staging folder standing for ``out``; removed on any exit (published or not)."""
    from .output import Outputs

    with Outputs() as outputs:
        stage = outputs.folder(out, clean=("tables", "figures", *OPTIONAL_OUTPUTS), flag="out=",
                               adopt=_legacy_outputs(out))
        _OPEN[stage] = outputs
        try:
            yield stage
        finally:
            _OPEN.pop(stage, None)


def _publish(stage: Path, out: Path) -> None:
    """Publish the staged results (with the run's other outputs when it has an open transaction)."""
    _OPEN[stage].publish()


def reproduce(
    data: str | Path | None = None,
    *,
    config: str | Path | None = None,
    out: str | Path | None = None,
    boot: int | None = None,
    seed: int | None = None,
    example: bool = False,
    progress: bool = False,
    pdf: bool = False,
) -> ReproduceResult:
    """Run the whole thesis analysis and write the results folder.

    Parameters
    ----------
    data : str or pathlib.Path, optional
        The export to analyse (CSV, Qualtrics CSV or SPSS .sav). Default: the study
        configuration's ``data`` (the shipped synthetic data set).
    config : str or pathlib.Path, optional
        Study configuration (default ``analyses/study.yaml``).
    out : str or pathlib.Path, optional
        Results folder (default ``results/`` in the project). Only ``report.html``,
        ``report.docx``, ``report.pdf``, ``results.json``, ``tables/`` and ``figures/`` in
        it are replaced.
    boot : int, optional
        Bootstrap resamples for the process model (default: the configuration's, 5000;
        :data:`EXAMPLE_BOOT` with ``example=True``).
    seed : int, optional
        Seed of the bootstrap (default: the configuration's ``seed``; when that is null too,
        a seed is drawn and recorded in ``results.json`` and the report).
    example : bool, default False
        Fast mode on the shipped data: fewer resamples (:data:`EXAMPLE_BOOT`).
    progress : bool, default False
        Show progress bars on standard error.
    pdf : bool, default False
        Also print ``report.html`` to ``report.pdf`` with headless Chromium (which must be
        installed; :func:`studylib.report.pdf.find_chromium`). Without it a ``report.pdf``
        an earlier run wrote is removed, so that it never disagrees with the report.

    Returns
    -------
    ReproduceResult
        The folder written, the content of ``results.json`` and the findings.

    Raises
    ------
    DataError, ColumnError
        The data file is missing, lacks required columns or has values not allowed.
    SpecError
        The configuration is invalid or names an unknown scale.
    OptionError
        ``boot`` or ``seed`` is not allowed, ``out`` is an existing file, or ``pdf`` is asked
        for and no Chromium is installed.

    Notes
    -----
    Steps: load configuration -> read data -> prepare -> exclusions (flow table,
    demographics per cell) -> scoring and reliability -> manipulation checks -> one 3 x 2
    ANOVA per ``kind: anova`` model (EMMs, simple effects, pairwise comparisons, Levene and
    Shapiro-Wilk, interaction plot) -> PROCESS model 83 -> findings -> report.
    Nothing is written to ``out`` unless all steps succeed.
    """
    from ._pipeline_steps import N_STEPS, run_steps
    from ._progress import progress as progress_bar

    out = Path(out) if out is not None else paths.RESULTS
    if out.exists() and not out.is_dir():
        raise OptionError(f"--out must be a folder; '{out}' is an existing file")
    if boot is not None:
        boot = check_int(boot, "boot", minimum=1000)
    if seed is not None:
        seed = check_int(seed, "seed", minimum=0)
    if example and data is not None:
        raise OptionError("example=True runs on the shipped data; do not also pass data")
    if pdf:
        from .report.pdf import find_chromium

        if find_chromium() is None:
            raise OptionError("--pdf needs Chromium to print report.html, and none is installed "
                              "(Debian/Ubuntu: apt-get install chromium); or leave out --pdf")
    sd = load_analysis_data(data, config=config)
    process_spec = next((m for m in sd.study.models if m.kind == "process"), None)
    if boot is None:
        boot = EXAMPLE_BOOT if example else int(process_spec.options.get("boot", 5000)) if process_spec else 5000
    seed = sd.study.seed if seed is None else seed
    if seed is None:  # neither given nor configured: draw one and record it, so the run can be repeated
        seed = as_generator(None)[1]
    info = session_info(sd.data_path)
    settings = {"boot": boot, "seed": seed, "example": bool(example)}
    with _staging(out) as stage, progress_bar(N_STEPS, desc="studylib reproduce", unit="step",
                                              enabled=progress, file=sys.stderr) as bar:
        results, findings = run_steps(sd, stage, settings=settings, session=info, bar=bar, pdf=pdf)
        results = {"studylib": __version__, **results}
        write_json(results, stage / "results.json")
        _publish(stage, out)
    return ReproduceResult(out, to_jsonable(results), findings)

