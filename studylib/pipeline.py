"""A study's whole analysis in one call: ``studylib reproduce`` and ``analyses/run_all.py``.

:func:`reproduce` reads a study file (default ``$STUDYLIB_STUDY``, else
``analyses/study.yaml``) and a data file, prepares and cleans the data (exclusion flow,
demographics per cell, as the study file declares them), scores the scales and checks their
reliability, tests the manipulation checks, runs each ANOVA model (with estimated marginal
means, simple effects, pairwise comparisons, assumption checks and interaction plots), fits
each PROCESS model with a bootstrap, checks the study's hypotheses one by one and writes
every table, figure and number to a results folder with an HTML report. Blocks the study
file does not declare are skipped, and the report says which.

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

__all__ = ["reproduce", "ReproduceResult", "StudyData", "load_analysis_data", "fit_models",
           "EXAMPLE_BOOT", "OUTPUTS"]

#: Resamples used by the fast ``--example`` mode (the minimum studylib.process accepts).
EXAMPLE_BOOT = 1000
#: The entries :func:`reproduce` writes into the output folder (nothing else is touched).
OUTPUTS = ("report.html", "report.docx", "results.json", "tables", "figures")
#: Written only when asked for (``pdf=True``); a report.pdf of an earlier run is removed.
OPTIONAL_OUTPUTS = ("report.pdf",)


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
        True when the data are synthetic: the study file says so (``synthetic: true``) of
        its own data file, or the file is one of the project's ``data/synthetic/``.
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
            f"respondents:   {len(self.prepared)} read, {len(self.kept)} "
            + ("kept after exclusions" if self.study.exclusions else "analysed (no exclusion rules)"),
        ])


def _resolve_inputs(data: str | Path | None, config: str | Path | None) -> tuple[Any, Path]:
    from .study import STUDY_ENV, default_study_path, load_study

    config_path = Path(config) if config is not None else default_study_path()
    if not config_path.is_file():
        env = f" (named by ${STUDY_ENV})" if config is None and config_path != paths.STUDY_CONFIG else ""
        raise SpecError(f"study configuration not found: '{config_path}'{env}; pass --config FILE "
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
    """Read, prepare, clean and score a study's data as :func:`reproduce` does.

    Parameters
    ----------
    data : str or pathlib.Path, optional
        The export to analyse (default: the configuration's ``data``, the shipped
        synthetic data set).
    config : str or pathlib.Path, optional
        The study file (default ``$STUDYLIB_STUDY``, else ``analyses/study.yaml``).

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
    >>> sd = load_analysis_data(config="analyses/study.yaml")  # the shipped SYNTHETIC data set
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
    own = study.data is not None and data_path.resolve() == Path(study.data).resolve()
    synthetic = (study.synthetic and own) or data_path.resolve().is_relative_to(paths.SYNTHETIC.resolve())
    return StudyData(study, data_path, prepared, kept, log, scales, synthetic)


def fit_models(sd: StudyData, *, boot: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """Fit every ANOVA and PROCESS model of the study file on the kept data.

    Parameters
    ----------
    sd : StudyData
        From :func:`load_analysis_data`.
    boot : int, optional
        Bootstrap resamples of the PROCESS models (default: each model's ``boot``, 5000).
    seed : int, optional
        Bootstrap seed (default: the study's ``seed``).

    Returns
    -------
    dict
        Model id -> its fit: the ANOVA table (:func:`studylib.anova`) or the PROCESS
        result (:func:`studylib.process`), in the order of ``models:``. Measurement models
        are not fitted here.

    Raises
    ------
    ColumnError, DataError, ModelError
        A model's variables are not in the data or the model cannot be fitted; the message
        names the study file's model (``models.<id>``).

    Examples
    --------
    >>> from studylib.pipeline import fit_models, load_analysis_data
    >>> sd = load_analysis_data(config="analyses/study.yaml")
    >>> fits = fit_models(sd, boot=1000)
    >>> list(fits)
    ['anova_psr', 'anova_pk', 'anova_attitude', 'model83']
    """
    from ._pipeline_models import _fit, process_options
    from .anova import anova
    from .process import process

    if boot is not None:
        boot = check_int(boot, "boot", minimum=1000)
    seed = sd.study.seed if seed is None else check_int(seed, "seed", minimum=0)
    fits: dict[str, Any] = {}
    for spec in sd.study.models:
        if spec.kind == "anova":
            o = spec.options
            fits[spec.name] = _fit(sd.study, spec, lambda o=o: anova(sd.kept, o["dv"], list(o["between"]),
                                                                     ss_type=int(o.get("ss_type", 3))))
        elif spec.kind == "process":
            opts = process_options(spec, boot=boot, seed=seed)
            fits[spec.name] = _fit(sd.study, spec, lambda opts=opts: process(sd.kept, **opts))
    return fits


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
        The hypotheses table (:func:`studylib.findings.check_hypotheses`; empty when the
        study file states no hypotheses).
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
    """Run a study's whole analysis and write the results folder.

    Parameters
    ----------
    data : str or pathlib.Path, optional
        The export to analyse (CSV, Qualtrics CSV or SPSS .sav). Default: the study
        configuration's ``data`` (the shipped synthetic data set).
    config : str or pathlib.Path, optional
        Study file (default ``$STUDYLIB_STUDY``, else ``analyses/study.yaml``).
    out : str or pathlib.Path, optional
        Results folder (default ``results/`` in the project). Only ``report.html``,
        ``report.docx``, ``report.pdf``, ``results.json``, ``tables/`` and ``figures/`` in
        it are replaced.
    boot : int, optional
        Bootstrap resamples of every PROCESS model (default: each model's ``boot``, else
        5000; :data:`EXAMPLE_BOOT` with ``example=True``).
    seed : int, optional
        Seed of the bootstrap (default: the configuration's ``seed``; when that is null too,
        a seed is drawn and recorded in ``results.json`` and the report).
    example : bool, default False
        Fast mode on the study's default data: fewer resamples (:data:`EXAMPLE_BOOT`).
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
    Steps: load the study file -> read data -> prepare -> exclusions (flow table,
    demographics per cell) -> scoring and reliability -> manipulation checks -> one
    ANOVA per ``kind: anova`` model (EMMs, simple effects, pairwise comparisons, Levene and
    Shapiro-Wilk, interaction plot) -> each ``kind: process`` model -> hypotheses -> report.
    Blocks the study file does not declare are skipped (the report lists them).
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
        raise OptionError("example=True runs on the study's default data; do not also pass data")
    if pdf:
        from .report.pdf import find_chromium

        if find_chromium() is None:
            raise OptionError("--pdf needs Chromium to print report.html, and none is installed "
                              "(Debian/Ubuntu: apt-get install chromium); or leave out --pdf")
    sd = load_analysis_data(data, config=config)
    if boot is None and example:
        boot = EXAMPLE_BOOT
    boots = {int(m.options.get("boot", 5000)) for m in sd.study.models if m.kind == "process"}
    boot_shown = boot if boot is not None else (boots.pop() if len(boots) == 1 else
                                                (sorted(boots) if boots else None))
    seed = sd.study.seed if seed is None else seed
    if seed is None:  # neither given nor configured: draw one and record it, so the run can be repeated
        seed = as_generator(None)[1]
    info = session_info(sd.data_path)
    settings = {"boot": boot_shown, "seed": seed, "example": bool(example)}
    with _staging(out) as stage, progress_bar(N_STEPS, desc="studylib reproduce", unit="step",
                                              enabled=progress, file=sys.stderr) as bar:
        results, findings = run_steps(sd, stage, settings=settings, session=info, bar=bar, boot=boot, pdf=pdf)
        results = {"studylib": __version__, **results}
        write_json(results, stage / "results.json")
        _publish(stage, out)
    return ReproduceResult(out, to_jsonable(results), findings)

