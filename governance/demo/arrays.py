"""Small array helpers the demo's geography and facts share: Arrow columns from numpy, seeded draws, the
contract's enum keys in the order the generators index them."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from governance.core import contract


def enum(dataset: str, column: str, *keys: str) -> pa.Array:
    """The contract's keys in the order this module indexes them (fails at import if one is misspelt)."""
    allowed = {c.key for c in contract.dataset(dataset).column(column).choices}
    unknown = set(keys) - allowed
    if unknown:
        raise ValueError(f"{dataset}.{column}: not in the contract: {sorted(unknown)}")
    return pa.array(keys)


def unique(names) -> pa.Array:
    return pa.array(list(dict.fromkeys(names)))

def normalised(weights) -> np.ndarray:
    """Weights rescaled to probabilities along the last axis."""
    w = np.asarray(weights, dtype=float)
    return w / w.sum(axis=-1, keepdims=True)


def seasonal(factors) -> np.ndarray:
    """Month-of-year factors (January first) rescaled to average 1."""
    f = np.asarray(factors, dtype=float)
    return f / f.mean()


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Children of parents with these many children each: (parent row, position among siblings)."""
    parent = np.repeat(np.arange(len(counts)), counts)
    return parent, rank_within(parent)


def rank_within(*keys: np.ndarray) -> np.ndarray:
    """0, 1, 2 ... along each run of equal keys (rows must already be grouped by the keys)."""
    n = len(keys[0])
    starts_run = np.zeros(n, dtype=bool)
    starts_run[:1] = True
    for key in keys:
        starts_run[1:] |= key[1:] != key[:-1]
    starts = np.flatnonzero(starts_run)
    return np.arange(n) - starts[np.cumsum(starts_run) - 1]


def sibling_picks(rng: np.random.Generator, parent: np.ndarray, position: np.ndarray, pool_size: int) -> np.ndarray:
    """Rows of a name pool such that children of one parent never share a name.

    Each parent walks the pool from a random start with a random stride coprime
    to the pool size, so its first pool_size children all land on different names.
    """
    if position.max(initial=0) >= pool_size:
        raise ValueError("name pool too small for the number of siblings")
    candidates = np.arange(max(1, pool_size // 7), pool_size // 2 + 2)
    strides = candidates[np.gcd(candidates, pool_size) == 1]
    n_parents = parent.max(initial=-1) + 1
    start = rng.integers(0, pool_size, n_parents)
    stride = rng.choice(strides, n_parents)
    return (start[parent] + position * stride[parent]) % pool_size


def join(*parts) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def codes(numbers: np.ndarray) -> pa.Array:
    """12-digit code strings, leading zeros kept."""
    return pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width=12, padding="0")


def ids(prefix: str, n: int, width: int) -> pa.Array:
    """prefix + a zero-padded running number 1..n."""
    seq = pa.array(np.arange(1, n + 1)).cast(pa.string())
    return join(prefix, pc.utf8_lpad(seq, width=width, padding="0"))


def labels(keys: pa.Array, index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return keys.take(pa.array(index, mask=None if valid is None else ~valid))


def dates(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Days since 1970-01-01 as date32, null where not valid."""
    return pa.array(days.astype(np.int32), mask=None if valid is None else ~valid).cast(pa.date32())


def bools(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return pa.array(values, mask=None if valid is None else ~valid)


def ints(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype(np.int64))


def chance(rng: np.random.Generator, base: float, shift: np.ndarray) -> np.ndarray:
    """One draw per row: True with probability ``base`` moved by ``shift`` on the log-odds scale."""
    p = 1 / (1 + np.exp(-(np.log(base / (1 - base)) + shift)))
    return rng.random(len(p)) < p


def schema(key: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, pa.type_for_alias(c.arrow_type)) for c in contract.dataset(key).columns])
