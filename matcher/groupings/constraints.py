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
            f"groups hold at most {HARD_MAX_GROUP_SIZE}; max_group_size={max_size} is not allowed")
    if not 1 <= min_size <= max_size:
        raise InfeasibleGrouping(
            f"the minimum group size ({min_size}) must be between 1 and the maximum ({max_size})")
    if n == 0:
        raise InfeasibleGrouping("there are no applicants to group")
    if n_groups is not None and max_groups is not None and n_groups > max_groups:
        raise InfeasibleGrouping(f"{n_groups} groups were asked for but at most {max_groups} "
                                 "are allowed")
    k = n_groups if n_groups is not None else math.ceil(n / max_size)
    if max_groups is not None:
        k = min(k, max_groups)
    if k < 1:
        raise InfeasibleGrouping("at least one group is needed")
    overflow = max(0, n - k * max_size)
    if n - overflow < k * min_size:
        raise InfeasibleGrouping(
            f"{n} applicants cannot fill {k} groups of at least {min_size}")
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
                f"together-chain {_chain(ids, block)} has {len(block)} members but groups hold "
                f"at most {max_size}")
    _check_apart(ids, apart_pairs, together_pairs, root, members)
    block_locks = _block_locks(ids, locked, index, root, members, plan)
    _check_locked_room(block_locks, members, plan, max_size)
    return Blocks(members=members, locked=block_locks, apart=apart_pairs)


def _indices(pair: tuple[str, str], index: Mapping[str, int], kind: str) -> tuple[int, int]:
    for applicant_id in pair:
        if applicant_id not in index:
            raise InfeasibleGrouping(f"{applicant_id} is named in a {kind} pair but did not apply")
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
            raise InfeasibleGrouping(f"{ids[i]} cannot be kept apart from itself")
        if root[i] != root[j]:
            continue
        if frozenset((i, j)) in direct:
            raise InfeasibleGrouping(f"{ids[i]} and {ids[j]} must be together and apart")
        block = next(b for b in members if i in b)
        raise InfeasibleGrouping(
            f"{ids[i]} and {ids[j]} must be apart but are chained together "
            f"({_chain(ids, block)})")


def _block_locks(ids, locked, index, root, members, plan: GroupPlan) -> np.ndarray:
    block_of_root = {int(root[b[0]]): k for k, b in enumerate(members)}
    block_locks = np.full(len(members), -1)
    holder = {}
    for applicant_id, group in locked.items():
        if applicant_id not in index:
            raise InfeasibleGrouping(f"{applicant_id} is locked but did not apply")
        if not 0 <= group < plan.n_groups:
            raise InfeasibleGrouping(
                f"{applicant_id} is locked in group {group + 1} but there are only "
                f"{plan.n_groups} groups")
        b = block_of_root[int(root[index[applicant_id]])]
        if block_locks[b] >= 0 and block_locks[b] != group:
            raise InfeasibleGrouping(
                f"{holder[b]} is locked in group {block_locks[b] + 1} and {applicant_id} in "
                f"group {group + 1}, but they must be together")
        block_locks[b], holder[b] = group, applicant_id
    return block_locks


def _check_locked_room(block_locks, members, plan: GroupPlan, max_size: int) -> None:
    for group in range(plan.n_groups):
        count = sum(len(members[b]) for b in np.flatnonzero(block_locks == group))
        if count > max_size:
            raise InfeasibleGrouping(
                f"group {group + 1} has {count} locked members (with their together partners) "
                f"but holds at most {max_size}")
