"""Stage 6 of :func:`studylib.process` (tables): the result object from the stages' outputs.

:func:`tabulate` builds the bootstrap tables (estimate, bootstrap SE and interval of each
indirect effect, index and contrast), the optional tables (standardized effects, Sobel
tests, data for plotting), the parameter table with its settings and the
:class:`~studylib.process.results.ProcessResult`.
"""

from __future__ import annotations

from .._version import __version__
from .bootstrap import BootstrapDraws
from .design import Design
from .extras import normal_theory_table, plot_table, standardize_scales, standardized_table
from .fit import Fits
from .probe import Probes
from .request import Request
from .results import (
    CONTRAST_COLS,
    INDEX_COLS,
    INDIRECT_COLS,
    ProcessExtras,
    ProcessResult,
    empty_normal,
)
from .spec import spec_table
from .tables import boot_table

__all__ = ["tabulate"]


def tabulate(req: Request, design: Design, fits: Fits, probes: Probes, boot: BootstrapDraws | None,
             seed_used: int | None) -> ProcessResult:
    """Assemble the :class:`ProcessResult` of a fitted model."""
    ci, conf = req.ci, req.conf
    design = probes.design
    qs, est = probes.quantities, probes.estimates

    def table(key, value_col, cols):
        draws = getattr(boot, key) if boot is not None else None
        return boot_table(qs[key], est[key], draws, value_col, cols, ci, conf)

    indirect = table("indirect", "effect", INDIRECT_COLS)
    index = table("index", "index", INDEX_COLS)
    contrasts = table("contrasts", "effect", CONTRAST_COLS)
    x, y = design.names["x"], design.names["y"]
    scales = standardize_scales(design.frame[x], design.role_terms["x"], bool(design.spec.moderators())) \
        if req.effsize else ()
    standardized = standardized_table(scales, design.frame[x], design.columns[design.outcome["y"]], probes,
                                      indirect, index, contrasts, boot, conf)
    normal = normal_theory_table(design, fits.fits, design.role_terms) if req.normal else empty_normal()
    coefficients, conditional, direct, total = fits.coefficients, probes.conditional, probes.direct, probes.total
    for tab in (coefficients, conditional, direct, total, indirect, index, contrasts, standardized):
        tab.attrs["conf"] = conf
    for tab in (coefficients, conditional, direct, total, normal):
        tab.attrs["hc"] = req.hc
    for tab in (indirect, index, contrasts, standardized):
        tab.attrs["ci"] = ci if boot is not None else None
    sp = design.spec
    names = design.names
    eq_name = fits.eq_name
    params = spec_table(sp, names, design.covariates, {
        dst: [mod for mod in ("w", "z") if any(mod in p.moderators for p in sp.into(dst))] for dst in sp.outcomes()
    })
    codings = {r: {"variable": c.variable, "coding": c.coding, "levels": list(c.levels), "terms": list(c.terms),
                   "counts": list(c.counts), "matrix": c.matrix.tolist()} for r, c in design.codings.items()}
    if design.y_coding is not None:
        yv = design.columns[design.outcome["y"]]
        codings["y"] = {"variable": y, "coding": "binary", "levels": list(design.y_coding.levels), "terms": [y],
                        "counts": [int((yv == 0).sum()), int((yv == 1).sum())], "matrix": [[0.0], [1.0]]}
    params.attrs.update({
        "variables": dict(names),
        "covariates": req.covariate_list,
        "covariates_by_equation": {eq_name[d]: list(design.covariates[d]) for d in sp.outcomes()},
        "family": {eq_name[d]: design.family[d] for d in design.eq_terms},
        "codings": codings,
        "centered": design.centered,
        "probe": req.probe,
        "moderator_values": {md: [v.label for v in design.values[md]] for md in design.values},
        "conf": conf,
        "ci": ci,
        "hc": req.hc,
        "boot": boot.B if boot is not None else 0,
    })
    if boot is None and req.seed is None:
        seed_used = None  # nothing random happened: no seed to record
    extras = ProcessExtras(standardized, normal, probes.omnibus,
                           plot_table(design, fits.fits, design.columns, design.codings, design.frame, eq_name,
                                      req.probe))
    return ProcessResult(
        model=params, coefficients=coefficients, equations=fits.equations, conditional=conditional, jn=probes.jn,
        indirect=indirect, index=index, contrasts=contrasts, direct=direct, total=total, extras=extras, boot=boot,
        n=design.n, n_dropped=design.n_dropped, seed=seed_used, version=__version__,
    )
