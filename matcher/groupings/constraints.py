"""Hard constraints: how many groups, together-chains, apart pairs, locked members.

Every check raises :class:`InfeasibleGrouping` with a message a coordinator understands.
Messages number groups from 1, as people do; ``locked`` takes 0-based group indices.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from matcher.groupings.applicants import InfeasibleGrouping
from matcher.text import N_, Text

__all__ = ["Blocks", "GroupPlan", "build_blocks", "plan_groups"]

HARD_MAX_GROUP_SIZE = 7


@dataclass(frozen=True)
class GroupPlan:
    """How many groups, and how many applicants cannot be placed for lack of room."""

    n_groups: int
    n_waitlisted: int


def plan_groups(n: int, min_size: int, max_size: int, n_groups: int | None,
                max_groups: int | None) -> GroupPlan:
    """Number of groups and the overflow, or why the sizes cannot work."""
    if not 1 <= max_size <= HARD_MAX_GROUP_SIZE:
        raise InfeasibleGrouping(
            Text(N_("groups hold at most %(limit)s; max_group_size=%(size)s is not allowed"),
                 limit=HARD_MAX_GROUP_SIZE, size=max_size))
    if not 1 <= min_size <= max_size:
        raise InfeasibleGrouping(
            Text(N_("the minimum group size (%(min)s) must be between 1 and the maximum "
                    "(%(max)s)"), min=min_size, max=max_size))
    if n == 0:
        raise InfeasibleGrouping(Text(N_("there are no applicants to group")))
    if n_groups is not None and max_groups is not None and n_groups > max_groups:
        raise InfeasibleGrouping(Text(N_("%(n)s groups were asked for but at most %(max)s are "
                                         "allowed"), n=n_groups, max=max_groups))
    k = n_groups if n_groups is not None else math.ceil(n / max_size)
    if max_groups is not None:
        k = min(k, max_groups)
    if k < 1:
        raise InfeasibleGrouping(Text(N_("at least one group is needed")))
    overflow = max(0, n - k * max_size)
    if n - overflow < k * min_size:
        raise InfeasibleGrouping(
            Text(N_("%(n)s applicants cannot fill %(k)s groups of at least %(min)s"), n=n, k=k,
                 min=min_size))
    return GroupPlan(n_groups=k, n_waitlisted=overflow)


@dataclass
class Blocks:
    """Applicants bound together by together-chains; a free applicant is a block of one."""

    members: list[np.ndarray]  # applicant indices of each block, in input order
    locked: np.ndarray  # 0-based group per block, -1 when free
    apart: list[tuple[int, int]]  # applicant index pairs

    @property
    def membership(self) -> np.ndarray:
        """Block of every applicant."""
        block_of = np.empty(sum(len(m) for m in self.members), dtype=int)
        for b, members in enumerate(self.members):
            block_of[members] = b
        return block_of


def build_blocks(ids: Sequence[str], together: Iterable[tuple[str, str]],
                 apart: Iterable[tuple[str, str]], locked: Mapping[str, int],
                 plan: GroupPlan, max_size: int) -> Blocks:
    """Contract together-chains into blocks and check them against apart, locks and sizes."""
    index = {applicant_id: i for i, applicant_id in enumerate(ids)}
    together_pairs = [_indices(pair, index, "together") for pair in together]
    apart_pairs = [_indices(pair, index, "apart") for pair in apart]
    root = _union_find(len(ids), together_pairs)
    members = _blocks_in_input_order(root)
    for block in members:
        if len(block) > max_size:
            raise InfeasibleGrouping(
                Text(N_("together-chain %(chain)s has %(n)s members but groups hold at most "
                        "%(max)s"), chain=_chain(ids, block), n=len(block), max=max_size))
    _check_apart(ids, apart_pairs, together_pairs, root, members)
    block_locks = _block_locks(ids, locked, index, root, members, plan)
    _check_locked_room(block_locks, members, plan, max_size)
    return Blocks(members=members, locked=block_locks, apart=apart_pairs)


def _indices(pair: tuple[str, str], index: Mapping[str, int], kind: str) -> tuple[int, int]:
    for applicant_id in pair:
        if applicant_id not in index:
            message = (N_("%(id)s is named in a together pair but did not apply")
                       if kind == "together" else
                       N_("%(id)s is named in an apart pair but did not apply"))
            raise InfeasibleGrouping(Text(message, id=applicant_id))
    return index[pair[0]], index[pair[1]]


def _union_find(n: int, pairs: list[tuple[int, int]]) -> np.ndarray:
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        parent[find(i)] = find(j)
    return np.array([find(i) for i in range(n)])


def _blocks_in_input_order(root: np.ndarray) -> list[np.ndarray]:
    _, first, inverse = np.unique(root, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    return [np.flatnonzero(inverse == label) for label in order]


def _chain(ids: Sequence[str], block: np.ndarray) -> str:
    names = [ids[i] for i in block]
    if len(names) > 6:
        names = [*names[:3], "…", names[-1]]
    return "–".join(names)


def _check_apart(ids, apart_pairs, together_pairs, root, members) -> None:
    direct = {frozenset(pair) for pair in together_pairs}
    for i, j in apart_pairs:
        if i == j:
            raise InfeasibleGrouping(Text(N_("%(id)s cannot be kept apart from itself"), id=ids[i]))
        if root[i] != root[j]:
            continue
        if frozenset((i, j)) in direct:
            raise InfeasibleGrouping(Text(N_("%(a)s and %(b)s must be together and apart"),
                                          a=ids[i], b=ids[j]))
        block = next(b for b in members if i in b)
        raise InfeasibleGrouping(
            Text(N_("%(a)s and %(b)s must be apart but are chained together (%(chain)s)"),
                 a=ids[i], b=ids[j], chain=_chain(ids, block)))


def _block_locks(ids, locked, index, root, members, plan: GroupPlan) -> np.ndarray:
    block_of_root = {int(root[b[0]]): k for k, b in enumerate(members)}
    block_locks = np.full(len(members), -1)
    holder = {}
    for applicant_id, group in locked.items():
        if applicant_id not in index:
            raise InfeasibleGrouping(Text(N_("%(id)s is locked but did not apply"),
                                          id=applicant_id))
        if not 0 <= group < plan.n_groups:
            raise InfeasibleGrouping(
                Text(N_("%(id)s is locked in group %(group)s but there are only %(n)s groups"),
                     id=applicant_id, group=group + 1, n=plan.n_groups))
        b = block_of_root[int(root[index[applicant_id]])]
        if block_locks[b] >= 0 and block_locks[b] != group:
            raise InfeasibleGrouping(
                Text(N_("%(a)s is locked in group %(group_a)s and %(b)s in group %(group_b)s, but "
                        "they must be together"), a=holder[b], group_a=block_locks[b] + 1,
                     b=applicant_id, group_b=group + 1))
        block_locks[b], holder[b] = group, applicant_id
    return block_locks


def _check_locked_room(block_locks, members, plan: GroupPlan, max_size: int) -> None:
    for group in range(plan.n_groups):
        count = sum(len(members[b]) for b in np.flatnonzero(block_locks == group))
        if count > max_size:
            raise InfeasibleGrouping(
                Text(N_("group %(group)s has %(n)s locked members (with their together "
                        "partners) but holds at most %(max)s"), group=group + 1, n=count,
                     max=max_size))
