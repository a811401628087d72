"""torch.quasirandom.SobolEngine (bit for bit, scrambled too: the scrambling draws from torch's
generator) and torch.lobpcg (eigenpairs within tolerance, eigenvectors compared up to sign)."""
from conformance import case, check


def _sobol(torch, *args, **kwargs):
    return torch.quasirandom.SobolEngine(*args, **kwargs)


# --- SobolEngine -------------------------------------------------------------------------------------
@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_plain(torch):
    e = _sobol(torch, 5)
    return e.draw(3), e.draw(6), e.num_generated, e.quasi, repr(e)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_float64(torch):
    e = _sobol(torch, 7)
    return e.draw(1, dtype=torch.float64), e.draw(40, dtype=torch.float64), e.draw(5)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_default_dtype(torch):
    e = _sobol(torch, 3, scramble=True, seed=11)
    torch.set_default_dtype(torch.float64)
    return e.draw(4), e.draw(1)     # the first point was made in float32, at construction


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_scrambled_seed(torch):
    e = _sobol(torch, 6, scramble=True, seed=1234)
    return (e.draw(1), e.draw(64), e.shift, e.sobolstate, e.draw(3, dtype=torch.float64), repr(e),
            e.seed, e.scramble)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_scrambled_global_generator(torch):
    torch.manual_seed(7)
    e = _sobol(torch, 4, scramble=True)
    return e.draw(10), torch.rand(3), repr(e)   # the scrambling consumed the global stream


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_max_dimension(torch):
    e = _sobol(torch, 21201)
    st = e.sobolstate
    x = e.draw(9, dtype=torch.float64)
    return x[:, ::97], x[:, -300:], st[::53], st[-200:], st.sum(0), e.MAXDIM, e.MAXBIT


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_max_dimension_scrambled(torch):
    e = _sobol(torch, 21201, scramble=True, seed=0)
    x = e.draw(5)
    return x[:, ::61], x[:, -100:], e.sobolstate[::301], e.shift[::37]


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_many_dimensions(torch):
    e = _sobol(torch, 1111, scramble=True, seed=5)
    return e.draw_base2(4)[:, ::7], e.sobolstate.sum(0)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_fast_forward(torch):
    a, b = _sobol(torch, 4, scramble=True, seed=3), _sobol(torch, 4, scramble=True, seed=3)
    a.draw(13)
    b.fast_forward(13)
    first = (a.draw(5), b.draw(5), b.num_generated)
    c = _sobol(torch, 4)
    c.draw(2)
    c.fast_forward(1000)
    return first, c.draw(3), c.quasi, c.fast_forward(0).num_generated


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_fast_forward_negative(torch):
    e = _sobol(torch, 3)
    e.draw(5)
    e.fast_forward(-2)
    return e.num_generated, e.quasi, e.draw(2)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_reset(torch):
    e = _sobol(torch, 4, scramble=True, seed=1)
    first = e.draw(7)
    r = e.reset()
    return r is e, e.num_generated, e.quasi, first, e.draw(7)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_draw_base2(torch):
    e = _sobol(torch, 3, scramble=True, seed=2)
    return e.draw_base2(0), e.draw_base2(0), e.draw_base2(1), e.draw_base2(3), e.num_generated


@case('torch.quasirandom.SobolEngine')
def sobol_draw_base2_not_power(torch):
    e = _sobol(torch, 3)
    e.draw(3)
    return e.draw_base2(2)


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_out(torch):
    o32, o64 = torch.empty(0), torch.empty(7, dtype=torch.float64)
    e = _sobol(torch, 3)
    r = e.draw(4, out=o32)
    r2 = e.draw_base2(2, out=o64)
    return r is o32, o32, r2 is o64, o64


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_long_sequence(torch):
    e = _sobol(torch, 2, scramble=True, seed=9)
    x = e.draw(5000)
    return x[::13], x[-20:], e.quasi


@case('torch.quasirandom.SobolEngine', exact=True)
def sobol_draw_zero(torch):
    e = _sobol(torch, 3)
    e.draw(2)
    return e.draw(0), e.num_generated


check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 0), name='dimension_zero')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 21202), name='dimension_too_big')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 3).draw(0), name='first_draw_zero')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 3).draw(3, dtype=torch.float16),
      name='half_dtype')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 3).draw(3, dtype=torch.int64),
      name='long_dtype')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 3).draw(3.0), name='float_n')
check('torch.quasirandom.SobolEngine', lambda torch: _sobol(torch, 3).draw_base2(-1), name='base2_negative')
check('torch.quasirandom.SobolEngine', lambda torch: (torch.quasirandom.SobolEngine.MAXDIM,
                                                      torch.quasirandom.SobolEngine.MAXBIT), name='class_constants')
