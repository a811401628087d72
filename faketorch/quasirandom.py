"""torch.quasirandom: SobolEngine, (scrambled) Sobol sequences with torch's numbers bit for bit.

The direction numbers are Joe and Kuo's (new-joe-kuo-6.21201, criterion D(6)), as torch uses them:
_sobol_direction_numbers.npz stores, per dimension, the primitive polynomial and the initial
direction integers, packed (tools/sobol_direction_numbers.py made it from torch's engine state and
checks the rebuilt table); the remaining integers follow the Bratley-Fox recurrence. Scrambling
draws from torch's generator the way torch does (randint for the digital shift and for the lower
triangular matrices), so a seed gives torch's sequence.
"""
import os

import numpy as np

from . import _dtype as D
from ._ops._core import register

__all__ = ['SobolEngine']

_MAXBIT = 30
_MAXDIM = 21201
_DATA = os.path.join(os.path.dirname(__file__), '_sobol_direction_numbers.npz')
_TABLE = []         # the (dimension, MAXBIT) int64 table, for the largest dimension yet


def _degrees(dimension):
    """Degrees of the primitive polynomials of dimensions 1 .. dimension-1: Joe and Kuo take every
    primitive polynomial over GF(2) in order of degree, and there are phi(2^s - 1) / s of degree s."""
    counts, s = [], 0
    while sum(counts) < dimension - 1:
        s += 1
        n = phi = 2 ** s - 1
        p = 2
        while p * p <= n:
            if n % p == 0:
                phi -= phi // p
                while n % p == 0:
                    n //= p
            p += 1
        if n > 1:
            phi -= phi // n
        counts.append(phi // s)
    return np.repeat(np.arange(1, s + 1), counts)[:dimension - 1]


def _direction_numbers(dimension):
    """(dimension, MAXBIT) int64: direction integer m_j of each dimension, shifted left by 29 - j
    (built for the largest dimension asked so far and kept)."""
    if not _TABLE or len(_TABLE[0]) < dimension:
        _TABLE[:] = [_build(dimension)]
    return _TABLE[0][:dimension]


def _build(dimension):
    with np.load(_DATA) as f:
        polys = np.cumsum(f['poly_diff'].astype(np.int64))[:dimension - 1]
        bits = np.unpackbits(f['init_bits'])
    deg = _degrees(dimension)
    m = np.ones((dimension, _MAXBIT), dtype=np.int64)     # the first dimension: van der Corput
    # initial numbers m_1 .. m_{s-1} of each later dimension: m_i is odd below 2^(i+1), the bits
    # hold its high i bits, dimension after dimension
    dims = np.repeat(np.arange(1, dimension), deg - 1)
    first = np.cumsum(deg - 1) - (deg - 1)
    i = np.arange(len(dims)) - np.repeat(first, deg - 1) + 1
    start = np.cumsum(i) - i            # where each one's bits begin
    vals = np.zeros(len(i), dtype=np.int64)
    for b in range(i.max(initial=0)):
        take = b < i
        vals[take] = (vals[take] << 1) | bits[start[take] + b]
    m[dims, i] = (vals << 1) | 1
    # the recurrence m_j = m_{j-s} ^ (m_{j-s} << s) ^ XOR_k a_k (m_{j-k} << k), all dimensions at once
    rows = np.arange(1, dimension)
    for j in range(1, _MAXBIT):
        on = deg <= j
        r, s = rows[on], deg[on]
        old = m[r, j - s]
        new = old ^ (old << s)
        for k in range(1, s.max(initial=1)):
            use = (k < s) & ((polys[on] >> (s - k)) & 1).astype(bool)
            new[use] ^= m[r[use], j - k] << k
        m[r, j] = new
    return m << (_MAXBIT - 1 - np.arange(_MAXBIT))


def _array(t):
    return t._data


def _rightmost_zero(c):
    """Index of the lowest 0 bit of each count: the direction column the Gray-code step flips."""
    low = ~c & (c + 1)
    return np.frexp(low.astype(np.float64))[1] - 1


@register(method=False)
def _sobol_engine_initialize_state_(self, dimension):
    self.copy_(_wrap(_direction_numbers(dimension)))
    return self


@register(method=False)
def _sobol_engine_scramble_(self, ltm, dimension):
    # Matousek's linear scrambling: digit p (p = 0 the most significant) of each new direction integer is
    # the parity of row p of the unit lower triangular ltm[d] with the old digits; i.e. the new integer
    # XORs, for each set digit k of the old one, column k of ltm[d] read as an integer
    L = _array(ltm)[:dimension] != 0
    L[:, np.arange(_MAXBIT), np.arange(_MAXBIT)] = True
    # (d, k, p) bits packed big-endian into 32: row p lands on bit 31 - p, wanted on 29 - p
    columns = np.packbits(L.transpose(0, 2, 1), axis=-1).view('>u4')[..., 0].astype(np.int64) >> 2
    state = _array(self)[:dimension]
    new = np.zeros_like(state)
    for k in range(_MAXBIT):
        new ^= ((state >> (_MAXBIT - 1 - k)) & 1) * columns[:, k:k + 1]
    self.copy_(_wrap(new))
    return self


def _xor_steps(quasi, sobolstate, n, num_generated):
    """The n states after `quasi`, counting from num_generated: each step flips the column of the
    count's lowest 0 bit, so the states are a cumulative XOR of the gathered columns."""
    cols = _rightmost_zero(num_generated + np.arange(n, dtype=np.int64))
    steps = _array(sobolstate)[:, cols]     # (dimension, n): each accumulation runs along a row
    if n:
        steps[:, 0] ^= _array(quasi)
    return np.bitwise_xor.accumulate(steps, axis=1).T


@register(method=False)
def _sobol_engine_draw(quasi, n, sobolstate, dimension, num_generated, dtype=None):
    import faketorch as torch
    if isinstance(n, bool) or not hasattr(n, '__index__'):     # torch's parser: an integer, not a bool
        raise TypeError(f"_sobol_engine_draw(): argument 'n' (position 2) must be int, not {type(n).__name__}")
    n = n.__index__()
    dtype = D.float32 if dtype is None else dtype
    result = torch.empty(n, dimension, dtype=dtype, device=sobolstate.device)
    if dtype not in (D.float32, D.float64):
        raise NotImplementedError(f'"_sobol_engine_draw" not implemented for \'{D.type_name(dtype)}\'')
    states = _xor_steps(quasi, sobolstate, n, num_generated)
    # torch stores the integers in the result dtype, then scales by 2^-30 (exact)
    result = _wrap(states.astype(result._data.dtype, order='C') * result._data.dtype.type(2.0 ** -_MAXBIT), dtype)
    new_quasi = _wrap(states[-1].copy() if n else _array(quasi).copy())
    return result, new_quasi


@register(method=False)
def _sobol_engine_ff_(self, n, sobolstate, dimension, num_generated):
    if n > 0:
        # the n flips telescope: together they flip the bits where the Gray codes of the first and
        # the last count differ
        def gray(c):
            return c ^ (c >> 1)
        mask = gray(num_generated + n) ^ gray(num_generated)
        q = _array(self).copy()
        for k in range(_MAXBIT):
            if mask >> k & 1:
                q ^= _array(sobolstate)[:, k]
        self.copy_(_wrap(q))
    return self


def _wrap(a, dtype=None):
    from ._tensor import _wrap as wrap
    return wrap(a, dtype)


class SobolEngine:
    r"""Draws (scrambled) Sobol sequences of up to 21201 dimensions, the direction numbers of Joe and
    Kuo (search criterion D(6)).

    Args:
        dimension (int): the dimension of the points.
        scramble (bool): scramble the sequence (linear matrix scrambling plus a digital shift),
            drawing from torch's random generator. Default: ``False``.
        seed (int, optional): the scrambling draws from a new generator seeded with it; None draws
            from the default generator.
    """

    MAXBIT = _MAXBIT
    MAXDIM = _MAXDIM

    def __init__(self, dimension, scramble=False, seed=None):
        import faketorch as torch
        if dimension > self.MAXDIM or dimension < 1:
            raise ValueError(f"Supported range of dimensionality for SobolEngine is [1, {self.MAXDIM}]")
        self.seed = seed
        self.scramble = scramble
        self.dimension = dimension
        cpu = torch.device('cpu')        # the engine lives on the CPU whatever the default device
        self.sobolstate = torch.zeros(dimension, self.MAXBIT, device=cpu, dtype=torch.long)
        torch._sobol_engine_initialize_state_(self.sobolstate, self.dimension)
        if self.scramble:
            self._scramble()
        else:
            self.shift = torch.zeros(self.dimension, device=cpu, dtype=torch.long)
        self.quasi = self.shift.clone()
        # made now, in the default dtype of now (torch's first point does the same)
        self._first_point = (self.quasi / 2 ** self.MAXBIT).reshape(1, -1)
        self.num_generated = 0

    def draw(self, n=1, out=None, dtype=None):
        """The next n points, a (n, dimension) tensor of dtype (default: the default dtype)."""
        import faketorch as torch
        if dtype is None:
            dtype = torch.get_default_dtype()
        if self.num_generated == 0:
            if n == 1:
                result = self._first_point.to(dtype)
            else:
                result, self.quasi = torch._sobol_engine_draw(
                    self.quasi, n - 1, self.sobolstate, self.dimension, self.num_generated, dtype=dtype)
                result = torch.cat((self._first_point.to(dtype), result), dim=-2)
        else:
            result, self.quasi = torch._sobol_engine_draw(
                self.quasi, n, self.sobolstate, self.dimension, self.num_generated - 1, dtype=dtype)
        self.num_generated += n
        if out is not None:
            out.resize_as_(result).copy_(result)
            return out
        return result

    def draw_base2(self, m, out=None, dtype=None):
        """The next 2**m points; the total drawn must stay a power of 2 (the balance of Sobol' points)."""
        n = 2 ** m
        total_n = self.num_generated + n
        if total_n & (total_n - 1) != 0:
            raise ValueError("The balance properties of Sobol' points require n to be a power of 2. "
                             f"{self.num_generated} points have been previously generated, then: "
                             f"n={self.num_generated}+2**{m}={total_n}. If you still want to do this, "
                             "please use 'SobolEngine.draw()' instead.")
        return self.draw(n=n, out=out, dtype=dtype)

    def reset(self):
        """Back to the first point."""
        self.quasi.copy_(self.shift)
        self.num_generated = 0
        return self

    def fast_forward(self, n):
        """Skip n points, as drawing them would."""
        import faketorch as torch
        if self.num_generated == 0:
            torch._sobol_engine_ff_(self.quasi, n - 1, self.sobolstate, self.dimension, self.num_generated)
        else:
            torch._sobol_engine_ff_(self.quasi, n, self.sobolstate, self.dimension, self.num_generated - 1)
        self.num_generated += n
        return self

    def _scramble(self):
        import faketorch as torch
        g = None
        if self.seed is not None:
            g = torch.Generator()
            g.manual_seed(self.seed)
        # digital shift: one random bit per digit, then lower triangular scrambling matrices
        cpu = torch.device('cpu')
        shift_bits = torch.randint(2, (self.dimension, self.MAXBIT), device=cpu, generator=g)
        self.shift = torch.mv(shift_bits, torch.pow(2, torch.arange(0, self.MAXBIT, device=cpu)))
        ltm = torch.randint(2, (self.dimension, self.MAXBIT, self.MAXBIT), device=cpu, generator=g).tril()
        torch._sobol_engine_scramble_(self.sobolstate, ltm, self.dimension)

    def __repr__(self):
        parts = [f"dimension={self.dimension}"]
        if self.scramble:
            parts.append("scramble=True")
        if self.seed is not None:
            parts.append(f"seed={self.seed}")
        return f"{type(self).__name__}({', '.join(parts)})"
