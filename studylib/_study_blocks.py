"""The optional blocks of a study file, its models and hypotheses (internal).

``attention_check``, ``manipulation_checks``, ``demographics``, ``exclusions``, ``models``,
``hypotheses`` and ``simulation`` (kept raw; :mod:`studylib._simblock` parses it). Each
problem raises one SpecError naming the file, the block and key and what is allowed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from . import _study_check as C
from .study import (
    RULE_ALIASES,
    RULES,
    AttentionCheck,
    Demographic,
    ExclusionRule,
    Hypothesis,
    ManipulationCheck,
    ModelSpec,
    Study,
)

CHECK_TESTS = ("anova", "welch_t", "chi2")
MODEL_KINDS = ("anova", "process", "measurement")
DIRECTIONS = ("positive", "negative", "nonzero")
ESTIMATE_KINDS = ("term", "simple_effect", "contrast", "indirect", "index", "coefficient", "direct")
_MODEL_KEYS = {
    "anova": ("dv", "between", "ss_type", "simple_effects", "label"),
    "process": ("model", "spec", "x", "y", "m", "w", "z", "covariates", "x_coding", "w_coding", "z_coding",
                "boot", "conf", "ci", "hc", "center", "probe", "wvalues", "zvalues", "effsize", "normal", "label"),
    "measurement": ("scales", "std_lv", "boot", "missing", "conf", "label"),
}
_KIND_OF_MODEL = {"anova": ("term", "simple_effect", "contrast"),
                  "process": ("term", "contrast", "indirect", "index", "coefficient", "direct"),
                  "measurement": ()}


def _attention(raw: Any, where: str) -> AttentionCheck:
    f = "attention_check"
    raw = C.mapping(raw, where, f)
    C.keys(raw, ("item", "correct", "label"), where, f, required=("item", "correct"))
    return AttentionCheck(C.text(raw["item"], where, f"{f}.item"), C.num(raw["correct"], where, f"{f}.correct"),
                          C.text(raw.get("label", ""), where, f"{f}.label", empty=True))


def _manipulation(raw: Any, study: Study, where: str) -> tuple[ManipulationCheck, ...]:
    if not isinstance(raw, list):
        raise C.err(where, "manipulation_checks", f"must be a list of checks; got {raw!r}")
    out: list[ManipulationCheck] = []
    factors = {f.name: f for f in study.factors}
    for i, spec in enumerate(raw):
        f = f"manipulation_checks[{i}]"
        spec = C.mapping(spec, where, f)
        C.keys(spec, ("id", "item", "factor", "label", "test", "correct"), where, f, required=("item", "factor"))
        item = C.text(spec["item"], where, f"{f}.item")
        cid = C.text(spec.get("id", item), where, f"{f}.id")
        if cid in {c.id for c in out}:
            raise C.err(where, f"{f}.id", f"{cid!r} is the id of an earlier check; give each check its own id")
        factor = C.known(spec["factor"], factors, where, f"{f}.factor", "factors")
        test = C.choice(spec.get("test", "anova"), CHECK_TESTS, where, f"{f}.test")
        levels = factors[factor].levels
        if test == "welch_t" and len(levels) != 2:
            raise C.err(where, f"{f}.test", f"welch_t compares two levels; {factor!r} has {len(levels)} "
                        f"({list(levels)}): use test: anova")
        correct: dict[str, Any] = {}
        raw_correct = C.mapping(spec.get("correct") or {}, where, f"{f}.correct")
        for level, value in raw_correct.items():
            C.known(level, levels, where, f"{f}.correct", f"levels of {factor!r}")
            correct[level] = C.answer(value, where, f"{f}.correct.{level}")
        lacking = [lv for lv in levels if lv not in correct]
        if (correct or test == "chi2") and lacking:
            raise C.err(where, f"{f}.correct", f"needs the correct answer of every level of {factor!r}; "
                        f"missing {lacking}" + (" (a chi2 check maps each answer to the level recalled)"
                                                if test == "chi2" else ""))
        out.append(ManipulationCheck(cid, item, factor, correct, test,
                                     C.text(spec.get("label", ""), where, f"{f}.label", empty=True)))
    return tuple(out)


def _demographics(raw: Any, where: str) -> tuple[Demographic, ...]:
    if not isinstance(raw, list):
        raise C.err(where, "demographics", f"must be a list of columns; got {raw!r}")
    out = []
    for i, spec in enumerate(raw):
        f = f"demographics[{i}]"
        spec = C.mapping(spec, where, f)
        C.keys(spec, ("item", "label", "codes", "min", "max"), where, f, required=("item",))
        codes = {}
        for code, label in C.mapping(spec.get("codes") or {}, where, f"{f}.codes").items():
            codes[C.number(code, where, f"{f}.codes")] = C.text(str(label), where, f"{f}.codes.{code}")
        lo = C.num(spec["min"], where, f"{f}.min") if "min" in spec else None
        hi = C.num(spec["max"], where, f"{f}.max") if "max" in spec else None
        if lo is not None and hi is not None and lo > hi:
            raise C.err(where, f"{f}.min", f"must not exceed max; got {lo:g} > {hi:g}")
        out.append(Demographic(C.text(spec["item"], where, f"{f}.item"),
                               C.text(spec.get("label", ""), where, f"{f}.label", empty=True), codes, lo, hi))
    return tuple(out)


def _exclusions(raw: Any, study: Study, where: str) -> tuple[ExclusionRule, ...]:
    if not isinstance(raw, list):
        raise C.err(where, "exclusions", f"must be a list of rules (applied in order); got {raw!r}")
    scale_ids = [s.id for s in study.scales]
    out = []
    for i, rule in enumerate(raw):
        f = f"exclusions[{i}]"
        rule = C.mapping(rule, where, f)
        kind = RULE_ALIASES.get(rule.get("rule"), rule.get("rule"))
        C.choice(kind, [*RULES, *RULE_ALIASES], where, f"{f}.rule")
        required, defaults = RULES[kind]
        params = {**defaults, **{k: v for k, v in rule.items() if k != "rule"}}
        allowed = [*required, *defaults] + (["column", "correct"] if kind == "attention_check" else [])
        extra = [k for k in params if k not in allowed]
        if extra:
            raise C.err(where, f, f"has unknown parameters {extra} for rule {kind!r}; allowed: {allowed}")
        for key in required:
            if key not in params:
                raise C.err(where, f"{f}.{key}", f"is missing (rule {kind!r})")
        if kind == "attention_check":
            block = study.attention_check
            if block is None and not {"column", "correct"} <= set(params):
                raise C.err(where, f, "needs the attention_check block, or its own 'column' and 'correct'")
            params.setdefault("column", block.item if block else None)
            params.setdefault("correct", block.correct if block else None)
            params["correct"] = C.num(params["correct"], where, f"{f}.correct")
        if "column" in params:
            C.text(params["column"], where, f"{f}.column")
        if "scales" in params:
            sc = C.str_list(params["scales"], where, f"{f}.scales")
            bad = [s for s in sc if s not in scale_ids]
            if bad:
                raise C.err(where, f"{f}.scales", f"names scales not in 'scales': {bad}")
            params["scales"] = list(sc)
        if kind == "speeder":
            frac = C.num(params["fraction_of_median"], where, f"{f}.fraction_of_median")
            if not 0 < frac < 1:
                raise C.err(where, f"{f}.fraction_of_median", f"must lie strictly between 0 and 1; got {frac:g}")
        if kind == "range" and C.num(params["min"], where, f"{f}.min") > C.num(params["max"], where, f"{f}.max"):
            raise C.err(where, f"{f}.min", "must not exceed max")
        if kind == "required_value":
            C.num(params["value"], where, f"{f}.value")
        if kind == "manipulation_check":
            C.known(params["check"], [c.id for c in study.manipulation_checks], where, f"{f}.check",
                    "manipulation checks")
            if not study.check(params["check"]).correct:
                raise C.err(where, f"{f}.check", f"names check {params['check']!r}, which declares no correct answers")
        out.append(ExclusionRule(kind, params))
    return tuple(out)


def _model(mname: Any, spec: Any, study: Study, where: str) -> ModelSpec:
    f = f"models.{mname}"
    spec = C.mapping(spec, where, f)
    kind = C.choice(spec.get("kind"), MODEL_KINDS, where, f"{f}.kind")
    opts = {k: v for k, v in spec.items() if k != "kind"}
    C.keys(opts, _MODEL_KEYS[kind], where, f, required={"anova": ("dv", "between"), "process": ("x", "y"),
                                                       "measurement": ()}[kind], why=f" ({kind} model)")
    label = C.text(opts.pop("label", ""), where, f"{f}.label", empty=True)
    factors, scales = [x.name for x in study.factors], [s.id for s in study.scales]
    if kind == "anova":
        C.text(opts["dv"], where, f"{f}.dv")
        between = C.names(opts["between"], where, f"{f}.between")
        for b in between:
            C.known(b, factors, where, f"{f}.between", "factors")
        opts["between"] = list(between)
        if "ss_type" in opts:
            C.choice(opts["ss_type"], (1, 2, 3), where, f"{f}.ss_type")
        if "simple_effects" in opts:
            C.known(opts["simple_effects"], between, where, f"{f}.simple_effects", f"factors of {f}.between")
    elif kind == "process":
        if "model" not in opts and "spec" not in opts:
            raise C.err(where, f"{f}.model", "is missing (process model; or give a custom 'spec')")
        for role in ("x", "y", "w", "z"):
            if opts.get(role) is not None:
                C.text(opts[role], where, f"{f}.{role}")
        if opts.get("m") is not None:
            C.names(opts["m"], where, f"{f}.m")
        if "boot" in opts:
            C.whole(opts["boot"], where, f"{f}.boot", minimum=1000)
        if "conf" in opts and not 0 < C.num(opts["conf"], where, f"{f}.conf") < 1:
            raise C.err(where, f"{f}.conf", f"must lie strictly between 0 and 1; got {opts['conf']!r}")
        if "ci" in opts:
            C.choice(opts["ci"], ("percentile", "bc"), where, f"{f}.ci")
    else:
        sc = C.names(opts.get("scales", scales), where, f"{f}.scales")
        for s in sc:
            C.known(s, scales, where, f"{f}.scales", "scales")
        opts["scales"] = list(sc)
        if "std_lv" in opts:
            C.flag(opts["std_lv"], where, f"{f}.std_lv")
        if "boot" in opts:
            C.whole(opts["boot"], where, f"{f}.boot")
        if "missing" in opts:
            C.choice(opts["missing"], ("listwise",), where, f"{f}.missing")
        if "conf" in opts and not 0 < C.num(opts["conf"], where, f"{f}.conf") < 1:
            raise C.err(where, f"{f}.conf", f"must lie strictly between 0 and 1; got {opts['conf']!r}")
    return ModelSpec(str(mname), kind, opts, label)


def _path_nodes(text: Any, model: ModelSpec, where: str, fieldname: str) -> list[str]:
    nodes = [p.strip() for p in C.text(text, where, fieldname).replace("→", "->").split("->")]
    o = model.options
    ms = [o["m"]] if isinstance(o.get("m"), str) else list(o.get("m") or [])
    if len(nodes) < 3 or nodes[0] != o["x"] or nodes[-1] != o["y"]:
        raise C.err(where, fieldname, f"must be a path 'x -> mediator(s) -> y' of model {model.name!r} "
                    f"(x = {o['x']!r}, y = {o['y']!r}); got {text!r}")
    mids = nodes[1:-1]
    it = iter(ms)
    if not all(any(m == n for n in it) for m in mids):
        raise C.err(where, fieldname, f"names mediators {mids} that are not, in this order, among the "
                    f"mediators of model {model.name!r}: {ms}")
    return nodes


def _at(raw: Any, study: Study, model: ModelSpec, where: str, fieldname: str) -> None:
    at = C.mapping(raw, where, fieldname)
    allowed = list(model.options["between"]) if model.kind == "anova" else \
        [model.options[r] for r in ("w", "z") if model.options.get(r) is not None]
    factors = {f.name: f for f in study.factors}
    for factor, level in at.items():
        C.known(factor, [a for a in allowed if a in factors], where, fieldname, f"factors of model {model.name!r}")
        C.known(level, factors[factor].levels, where, f"{fieldname}.{factor}", f"levels of {factor!r}")


def _canonical(est: dict[str, Any], model: ModelSpec, where: str, ef: str) -> dict[str, Any]:
    """One form per estimate: a contrast of indirect effects becomes ``{contrast: path, levels}``.

    Accepted as written: ``{indirect: path, levels: [a, b]}``, ``{contrast: {indirect: path,
    levels: [a, b]}}`` and ``{contrast: path, levels: [a, b]}`` (a process model).
    """
    if model.kind != "process":
        return est
    if "indirect" in est and "levels" in est and "contrast" not in est:
        est = {"contrast": est.pop("indirect"), **est}
    value = est.get("contrast")
    if isinstance(value, Mapping):
        C.keys(value, ("indirect", "levels"), where, f"{ef}.contrast", required=("indirect", "levels"))
        if "levels" in est:
            raise C.err(where, f"{ef}.levels", "is given twice (also under contrast)")
        est = {**{k: v for k, v in est.items() if k != "contrast"}, "contrast": value["indirect"],
               "levels": value["levels"]}
        est = {"contrast": est.pop("contrast"), **est}
    return est


def _hypothesis(i: int, raw: Any, study: Study, seen: set[str], where: str) -> Hypothesis:
    f = f"hypotheses[{i}]"
    raw = C.mapping(raw, where, f)
    C.keys(raw, ("id", "text", "model", "estimate", "direction"), where, f, required=("id", "model", "estimate"))
    hid = C.text(raw["id"], where, f"{f}.id")
    if hid in seen:
        raise C.err(where, f"{f}.id", f"{hid!r} is the id of an earlier hypothesis")
    seen.add(hid)
    model = study.model(C.known(raw["model"], [m.name for m in study.models], where, f"{f}.model", "models"))
    est = dict(C.mapping(raw["estimate"], where, f"{f}.estimate"))
    ef = f"{f}.estimate"
    C.keys(est, (*ESTIMATE_KINDS, "at", "levels", "x_level", "equation"), where, ef)
    est = _canonical(est, model, where, ef)
    kinds = [k for k in ESTIMATE_KINDS if k in est]
    if len(kinds) != 1:
        raise C.err(where, ef, f"must have exactly one of {list(ESTIMATE_KINDS)}; got {kinds or list(est)}")
    kind = kinds[0]
    if kind not in _KIND_OF_MODEL[model.kind]:
        raise C.err(where, f"{ef}.{kind}", f"is not an estimate of a {model.kind} model; allowed: "
                    f"{list(_KIND_OF_MODEL[model.kind])}")
    direction = C.choice(raw.get("direction", "nonzero"), DIRECTIONS, where, f"{f}.direction")
    if "at" in est:
        _at(est["at"], study, model, where, f"{ef}.at")
    o, value = model.options, est[kind]
    factors = {x.name: x for x in study.factors}
    if model.kind == "anova":
        between = list(o["between"])
        if kind == "term":
            parts = [p.strip() for p in C.text(value, where, f"{ef}.term").split(":")]
            for p in parts:
                C.known(p, between, where, f"{ef}.term", f"factors of model {model.name!r}")
            if direction != "nonzero":
                raise C.err(where, f"{f}.direction", "must be 'nonzero' for the F test of an ANOVA term; state a "
                            "direction with simple_effect (two levels) or contrast")
        else:
            factor = C.known(value, between, where, f"{ef}.{kind}", f"factors of model {model.name!r}")
            levels = factors[factor].levels
            if kind == "simple_effect" and len(levels) != 2 and direction != "nonzero":
                raise C.err(where, f"{f}.direction", f"must be 'nonzero' for the simple effect of {factor!r} "
                            f"({len(levels)} levels); compare two levels with 'contrast'")
            if kind == "contrast":
                pair = C.str_list(est.get("levels"), where, f"{ef}.levels")
                if len(pair) != 2 or len(set(pair)) != 2:
                    raise C.err(where, f"{ef}.levels", f"must name two different levels of {factor!r}; got {list(pair)}")
                for lv in pair:
                    C.known(lv, levels, where, f"{ef}.levels", f"levels of {factor!r}")
            others = set(est.get("at") or {})
            if factor in others:
                raise C.err(where, f"{ef}.at", f"must not fix {factor!r}, the factor whose levels are compared")
    else:
        w = o.get("w")
        if kind in ("indirect", "index"):
            _path_nodes(value, model, where, f"{ef}.{kind}")
        elif kind == "contrast":
            _path_nodes(value, model, where, f"{ef}.contrast")
            pair = C.str_list(est.get("levels"), where, f"{ef}.levels")
            if w not in factors or len(pair) != 2:
                raise C.err(where, f"{ef}.levels", f"must name two levels of the moderator W of model "
                            f"{model.name!r}; got {list(pair)}")
            for lv in pair:
                C.known(lv, factors[w].levels, where, f"{ef}.levels", f"levels of {w!r}")
        elif kind == "coefficient":
            spec = value if isinstance(value, Mapping) else {"term": value, "equation": est.get("equation")}
            spec = C.mapping(spec, where, f"{ef}.coefficient")
            C.keys(spec, ("equation", "term"), where, f"{ef}.coefficient", required=("equation", "term"))
            C.text(spec["equation"], where, f"{ef}.coefficient.equation")
            C.text(spec["term"], where, f"{ef}.coefficient.term")
        elif kind == "direct":
            spec = C.mapping(value if value is not None else {}, where, f"{ef}.direct")
            C.keys(spec, ("at",), where, f"{ef}.direct")
            if "at" in spec:
                _at(spec["at"], study, model, where, f"{ef}.direct.at")
        else:  # term: a coefficient row named by its term
            C.text(value, where, f"{ef}.term")
        if "x_level" in est and o["x"] in factors:
            C.known(est["x_level"], factors[o["x"]].levels, where, f"{ef}.x_level", f"levels of {o['x']!r}")
    text = C.text(raw.get("text", hid), where, f"{f}.text")
    return Hypothesis(hid, text, model.name, kind, est, direction)


def _list(value: Any) -> Any:
    """A block written with nothing under it (YAML null) is an empty list."""
    return [] if value is None else value


def parse_blocks(study: Study, d: Mapping[str, Any], where: str) -> Study:
    """Add the optional blocks, models, hypotheses and the raw simulation block to ``study``."""
    attention = _attention(d["attention_check"], where) if "attention_check" in d else None
    study = dataclasses.replace(study, attention_check=attention)
    checks = _manipulation(_list(d["manipulation_checks"]), study, where) if "manipulation_checks" in d else ()
    demographics = _demographics(_list(d["demographics"]), where) if "demographics" in d else ()
    study = dataclasses.replace(study, manipulation_checks=checks, demographics=demographics)
    exclusions = _exclusions([] if d["exclusions"] is None else d["exclusions"], study, where) \
        if "exclusions" in d else ()
    models = tuple(_model(n, s, study, where) for n, s in C.mapping(d.get("models") or {}, where, "models").items())
    study = dataclasses.replace(study, exclusions=exclusions, models=models)
    raw_h = [] if d.get("hypotheses") is None else d["hypotheses"]
    if not isinstance(raw_h, list):
        raise C.err(where, "hypotheses", f"must be a list of hypotheses; got {raw_h!r}")
    seen: set[str] = set()
    hypotheses = tuple(_hypothesis(i, h, study, seen, where) for i, h in enumerate(raw_h))
    sim = d.get("simulation")
    if sim is not None:
        C.mapping(sim, where, "simulation")
    return dataclasses.replace(study, hypotheses=hypotheses, simulation=sim)


def study_to_dict(s: Study) -> dict[str, Any]:
    """The study laid out as a study file (``Study.from_dict`` reads it back)."""
    def answer(v: Any) -> Any:
        return list(v) if isinstance(v, tuple) else v

    out: dict[str, Any] = {
        "name": s.name, "title": s.title, "description": s.description, "seed": s.seed,
        "data": str(s.data) if s.data else None, "synthetic": s.synthetic, "encoding": s.encoding,
        "id_column": s.id_column,
        "design": {f.name: {"label": f.display, "column": f.column,
                            "levels": {lv: {"label": f.level_label(lv), "codes": list(f.labels[lv])}
                                       for lv in f.levels}} for f in s.factors},
        "columns": dict(s.columns), "codes": dict(s.codes),
        "ranges": {k: list(v) for k, v in s.ranges.items()},
        "questionnaires": str(s.questionnaires),
        "scales": {sc.id: {**{k: v for k, v in sc.to_dict().items() if k in
                              ("items", "reverse", "min", "max", "score", "min_valid_items", "name",
                               "construct", "citation", "doi")},
                           "label": s.scale_labels.get(sc.id, sc.id)} for sc in s.scales},
    }
    if s.attention_check is not None:
        a = s.attention_check
        out["attention_check"] = {"item": a.item, "correct": a.correct, "label": a.label}
    if "manipulation_checks" in s.declared:
        out["manipulation_checks"] = [
            {"id": c.id, "item": c.item, "factor": c.factor, "label": c.label, "test": c.test,
             "correct": {k: answer(v) for k, v in c.correct.items()}} for c in s.manipulation_checks]
    if "demographics" in s.declared:
        out["demographics"] = [{"item": d.item, "label": d.label, "codes": dict(d.codes),
                                **({"min": d.min} if d.min is not None else {}),
                                **({"max": d.max} if d.max is not None else {})} for d in s.demographics]
    if "exclusions" in s.declared:
        out["exclusions"] = [{"rule": r.rule, **r.params} for r in s.exclusions]
    out["models"] = {m.name: {"kind": m.kind, **m.options, **({"label": m.label} if m.label else {})}
                     for m in s.models}
    if "hypotheses" in s.declared:
        out["hypotheses"] = [{"id": h.id, "text": h.text, "model": h.model, "estimate": dict(h.estimate),
                              "direction": h.direction} for h in s.hypotheses]
    if s.simulation is not None:
        out["simulation"] = s.simulation
    return out
