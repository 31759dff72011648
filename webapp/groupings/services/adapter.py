"""The only door to the engine (`matcher.groupings`): plain applicants in, plain results out.

Applicant ids given to the engine are application ids as text; the engine's ``name`` is the
authority's name so that its explanations read "shares e-buses with Gemeente Utrecht".
``size`` is the authority's population (people served); spending is never used in its place,
since the two do not share a scale.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from matcher.groupings import Applicant as EngineApplicant
from matcher.groupings import InfeasibleGrouping, WorkingGroupBuilder, allocate_sectors
from matcher.text import Text
from webapp.groupings.services.errors import GroupingInfeasible
from webapp.groupings.services.parameters import RunParameters
from webapp.groupings.services.pool import Applicant
from webapp.i18n import localize

RESCORE_EFFORT = {"n_restarts": 1, "n_kicks": 0, "n_proposals": 1}


@dataclass(frozen=True)
class Result:
    """One proposal of the engine, with application ids."""

    groups: list[list[int]]
    waitlist: list[tuple[int, str]]
    objective: float
    scores: list[float]
    explanations: list[dict]
    bound: float | None = None  # set later by the proof job (services.proof)
    notes: tuple[Text, ...] = ()  # what the run says about itself (budget, unavoidable breaks)


def engine_applicant(a: Applicant) -> EngineApplicant:
    """The engine's view of an application."""
    return EngineApplicant(id=str(a.application_id), interests=list(a.topics),
                           motivation=a.motivation, size=a.size, country=a.country,
                           nuts=a.nuts, languages=list(a.languages), name=a.name)


def builder(parameters: RunParameters, **extra) -> WorkingGroupBuilder:
    """The engine configured from the coordinator's settings."""
    return WorkingGroupBuilder(
        max_group_size=parameters.max_group_size, min_group_size=parameters.min_group_size,
        n_groups=parameters.n_groups, max_groups=parameters.max_groups,
        weights=parameters.weights.model_dump(), region_mode=parameters.region_mode,
        large_buyer=parameters.large_buyers, no_lone_country=parameters.no_lone_country,
        random_state=parameters.random_state, **extra)


def _fit(model: WorkingGroupBuilder, applicants: list[EngineApplicant]) -> WorkingGroupBuilder:
    try:
        return model.fit(applicants)
    except InfeasibleGrouping as error:
        # the engine's sentence (a Text): the web layer shows it in the reader's language
        raise GroupingInfeasible(localize(error.args[0]) if error.args else str(error)) from None


def run(applicants: list[Applicant], parameters: RunParameters, *,
        together: Iterable[tuple[int, int]] = (), apart: Iterable[tuple[int, int]] = (),
        locked: Mapping[int, int] | None = None, effort: Mapping[str, float] | None = None
        ) -> list[Result]:
    """The engine's proposals for a pool, best first (GroupingInfeasible with its reason);
    ``effort`` (``n_restarts``, ``n_kicks``, ``time_limit``) overrides the engine's defaults
    for the pool's size."""
    model = _fit(builder(
        parameters, n_proposals=parameters.n_alternatives, **(effort or {}),
        together=[(str(a), str(b)) for a, b in together],
        apart=[(str(a), str(b)) for a, b in apart],
        locked={str(i): g for i, g in (locked or {}).items()},
    ), [engine_applicant(a) for a in applicants])
    return [
        Result(groups=[[int(i) for i in g] for g in p.groups],
               waitlist=[(int(i), reason) for i, reason in p.waitlist],
               objective=p.objective, scores=list(p.scores), explanations=p.explanations,
               notes=tuple(model.notes_))
        for p in model.partitions_
    ]


@dataclass(frozen=True)
class Proof:
    """SCIP's verdict on a pool: the bound on the objective, and whether it is proven."""

    bound: float
    best_found: float
    proven: bool


def prove(applicants: list[Applicant], parameters: RunParameters, groups: list[list[int]], *,
          together: Iterable[tuple[int, int]] = (), apart: Iterable[tuple[int, int]] = (),
          locked: Mapping[int, int] | None = None, time_limit: float) -> Proof | None:
    """The exact model on the pool (SCIP through OR-Tools, as the benchmark runs it), with
    ``groups`` as its first solution; None when the model does not cover the run (a waitlist)
    or OR-Tools is not installed."""
    try:
        import ortools  # noqa: F401  (an optional dependency: the bench extra)
    except ImportError:
        return None
    model = _fit(builder(
        parameters, **RESCORE_EFFORT, together=[(str(a), str(b)) for a, b in together],
        apart=[(str(a), str(b)) for a, b in apart],
        locked={str(i): g for i, g in (locked or {}).items()},
    ), [engine_applicant(a) for a in applicants])
    result = model.prove([[str(i) for i in g] for g in groups], time_limit=time_limit)
    if result is None:
        return None
    return Proof(bound=result.bound, best_found=result.objective, proven=result.proven)


def rescore(parameters: RunParameters, pool: list[Applicant], groups: dict[int, list[Applicant]],
            changed: set[int], numbers: dict[int, int]) -> dict[int, tuple[float, dict]]:
    """New score and explanation of the `changed` groups (by group id) after an edit.

    The engine is fitted on the pool only to get its pair affinities (least search effort, no
    constraints, the proposal's number of groups); `score` and `explain` then read the
    current assignment.
    """
    order = sorted(groups, key=lambda gid: numbers[gid])
    placed = {a.application_id for members in groups.values() for a in members}
    everyone = {a.application_id: a for a in pool}
    for members in groups.values():
        everyone.update({a.application_id: a for a in members})
    relaxed = parameters.model_copy(update={"min_group_size": 1, "n_groups": len(order),
                                            "max_groups": None})
    if len(everyone) < len(order):  # not enough people for the engine's plan: keep scores
        return {}
    model = _fit(builder(relaxed, **RESCORE_EFFORT),
                 [engine_applicant(a) for a in everyone.values()])
    ids = [[str(a.application_id) for a in groups[gid]] for gid in order]
    waiting = [str(i) for i in everyone if i not in placed]
    scores = model.score(ids, waiting).scores
    explanations = model.explain(ids, scores)
    return {gid: (scores[h], explanations[h]) for h, gid in enumerate(order) if gid in changed}


def objective(scores: list[float], fairness: float = 1.0) -> float:
    """The engine's objective: the sum of group scores plus the worst one (fairness 1)."""
    return float(sum(scores) + fairness * min(scores)) if scores else 0.0


def allocate(choices: list[tuple[int, int, int, int]], limits: dict[int, int | None],
             authority_names: dict[int, str], sector_names: dict[int, str]
             ) -> tuple[set[int], dict[int, str]]:
    """Apply the cross-sector limit to (application, authority, sector, rank) rows.

    Returns the application ids kept and, for the others, the engine's reason (with the
    authority's name for its id).
    """
    by_key = {(str(au), sector_names[s]): app for app, au, s, _r in choices}
    kept, dropped = allocate_sectors(
        [(str(au), sector_names[s], rank) for _app, au, s, rank in choices],
        {str(au): limit for au, limit in limits.items()})
    reasons = {}
    for (au, sector_key, _rank), reason in dropped:
        name = authority_names.get(int(au), au)
        # the engine names the authority by its id; people read its name
        reasons[by_key[(au, sector_key)]] = (
            Text(reason.msgid, plural=reason.plural, **{**reason.params, "id": name})
            if isinstance(reason, Text) else reason.replace(au, name, 1))
    return {by_key[(au, s)] for au, s, _r in kept}, reasons


# --- stateless grouping (the JSON API) -------------------------------------------------------

def group_applicants(applicants: list[EngineApplicant], parameters: RunParameters, *,
                     together=(), apart=()) -> list:
    """Group applicants sent by an API client (ids are theirs); the engine's proposals."""
    model = _fit(builder(parameters, n_proposals=parameters.n_alternatives,
                         together=[tuple(p) for p in together],
                         apart=[tuple(p) for p in apart]), applicants)
    return model.partitions_
