"""Regenerate faketorch/_sobol_direction_numbers.npz from real torch (run with torch's venv).

The data are the Joe-Kuo direction numbers (new-joe-kuo-6.21201, search criterion D(6)) that
torch.quasirandom.SobolEngine uses. They are read back out of torch's engine state: for dimension
d >= 1, column j of SobolEngine(21201).sobolstate holds the direction integer m_j shifted left by
29 - j. Dimension d uses the d-th primitive polynomial over GF(2) counted in order of degree, so
its degree s follows from the number of primitive polynomials of each degree; m_0 .. m_{s-1} are
the initial numbers and the polynomial is read from the recurrence at j = s (each coefficient
term a_k * (m_{j-k} << k) is the only one that can reach bit k, because the m are odd).
The script checks that faketorch.quasirandom rebuilds every one of the 21201 x 30 entries.

Stored (np.savez_compressed):
  poly_diff  uint16  differences of the successive polynomials (x^s + a_1 x^{s-1} + ... + 1 as
                     bits, dimensions 1 .. 21200; the first is taken from 0)
  init_bits  uint8   np.packbits of, per dimension in order, for i = 1 .. s-1, the i bits of
                     m_i >> 1 (m_i is odd and below 2^(i+1); m_0 is always 1), high bit first
"""
import os
import sys

import numpy as np
import torch

MAXBIT, MAXDIM = 30, 21201
OUT = os.path.join(os.path.dirname(__file__), '..', 'faketorch', '_sobol_direction_numbers.npz')


def main():
    state = torch.quasirandom.SobolEngine(MAXDIM).sobolstate.numpy()
    m = state >> (MAXBIT - 1 - np.arange(MAXBIT))
    assert ((m << (MAXBIT - 1 - np.arange(MAXBIT))) == state).all()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..'))
    from faketorch.quasirandom import _degrees
    deg = _degrees(MAXDIM)
    polys, bits = [], []
    for d in range(1, MAXDIM):
        s = int(deg[d - 1])
        md = [int(v) for v in m[d]]
        r = md[s] ^ md[0] ^ (md[0] << s)
        a = 0
        for k in range(1, s):
            bit = (r >> k) & 1
            a = (a << 1) | bit
            if bit:
                r ^= md[s - k] << k
        assert r == 0
        polys.append((1 << s) | (a << 1) | 1)
        assert md[0] == 1
        for i in range(1, s):
            assert md[i] & 1 and md[i] < 2 ** (i + 1)
            bits.extend((md[i] >> 1 >> (i - 1 - b)) & 1 for b in range(i))
    diff = np.diff(np.array(polys, dtype=np.int64), prepend=0)
    assert diff.min() > 0 and diff.max() < 2 ** 16
    np.savez_compressed(OUT, poly_diff=diff.astype(np.uint16),
                        init_bits=np.packbits(np.array(bits, dtype=np.uint8)))
    print(OUT, os.path.getsize(OUT), 'bytes')
    import importlib
    import faketorch.quasirandom as q
    importlib.reload(q)
    mine = q._direction_numbers(MAXDIM)
    assert (mine == state).all(), 'rebuilt state differs'
    print('all', state.size, 'entries rebuilt')


if __name__ == '__main__':
    main()
