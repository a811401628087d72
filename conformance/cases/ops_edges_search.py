"""Bad and edge input for searchsorted, bucketize and the trapezoid rule (trapezoid, trapz,
cumulative_trapezoid): 0-d and empty shapes, torch's check order, dtypes, NaN, argument errors."""
from conformance import check


def _call(fname, *a, **k):
    """A case calling torch.<fname>; arguments that are functions are built in each library."""
    build = lambda torch, x: x(torch) if callable(x) else x        # noqa: E731
    return lambda torch: getattr(torch, fname)(*[build(torch, x) for x in a],
                                               **{n: build(torch, x) for n, x in k.items()})


def _ss(*a, **k):
    return _call('searchsorted', *a, **k)


def _ones(*shape, dtype=None):
    return lambda torch: torch.ones(*shape, dtype=dtype and getattr(torch, dtype))


def _seq(torch):
    return torch.tensor([1., 2., 3.])


def _seq2(torch):
    return torch.tensor([[1., 2., 3.], [4., 5., 6.]])


def _v(torch):
    return torch.tensor([2.5, 1.])


def _s0(torch):
    return torch.tensor(1.)


def _tensor(*a, **k):
    return lambda torch: torch.tensor(*a, **k)


# --- searchsorted: shapes --------------------------------------------------------------------------
check('torch.searchsorted', _ss(_s0, _v), name='boundary_0d')
check('torch.searchsorted', _ss(_s0, _s0), name='boundary_0d_value_0d')
check('torch.searchsorted', _ss(_s0, 2), name='boundary_0d_scalar')
check('torch.searchsorted', _ss(_seq2, _s0), name='value_0d_boundary_2d')
check('torch.searchsorted', _ss(_seq2, _ones(2, 0)), name='values_2x0')
check('torch.searchsorted', _ss(_seq, _ones(2, 0)), name='values_2x0_boundary_1d')
check('torch.searchsorted', _ss(_ones(0, 3), _ones(0, 4)), name='batch_0')
check('torch.searchsorted', _ss(_ones(2, 1, 3), _ones(2, 1, 0)),
      name='values_3d_empty')
check('torch.searchsorted', _ss(_ones(2, 0), _ones(2, 3)),
      name='boundary_empty')
check('torch.searchsorted', _ss(_seq2, _ones(3)), name='batch_mismatch')

# --- searchsorted: dtypes, NaN, unsorted -----------------------------------------------------------
check('torch.searchsorted', _ss(lambda torch: torch.tensor([0, 200], dtype=torch.uint8), -1),
      name='uint8_scalar_wraps')
check('torch.searchsorted', _ss(_tensor([0, 1]), 0.5), name='int_boundary_float_scalar')
check('torch.searchsorted', _ss(lambda torch: torch.tensor([0, 200], dtype=torch.uint8), _tensor([-1])),
      name='uint8_int64_values')
check('torch.searchsorted', _ss(_tensor([False, True]), _tensor([True])), name='bool')
check('torch.searchsorted', _ss(_seq, 2j), name='complex_scalar')
check('torch.searchsorted', _ss(_seq, lambda torch: torch.tensor([], dtype=torch.complex64)), name='complex_empty')
check('torch.searchsorted', lambda torch: (
    torch.searchsorted(torch.tensor([1., float('nan')]), torch.tensor([float('nan'), 5.])),
    torch.searchsorted(torch.tensor([1., float('nan')]), torch.tensor([float('nan'), 0.]), right=True)),
    name='nan')
check('torch.searchsorted', lambda torch: (
    torch.searchsorted(torch.tensor([5., 1, 4, 2, 3, 0, 7]), torch.arange(9.)),
    torch.searchsorted(torch.tensor([5., 1, 4, 2, 3, 0, 7]), torch.arange(9.), right=True)), name='unsorted')

# --- searchsorted: options and torch's check order -------------------------------------------------
check('torch.searchsorted', _ss(_s0, _s0, side='left', right=True), name='opposite_sides_first')
check('torch.searchsorted', _ss(_s0, _v, side='bad'), name='bad_side_first')
check('torch.searchsorted', _ss(_seq, _v, sorter=None, out=None), name='sorter_out_none')
check('torch.searchsorted', _ss(_s0, _s0, sorter=_tensor(0)), name='sorter_0d')
check('torch.searchsorted', lambda torch: torch.searchsorted(
    _s0(torch), _v(torch), sorter=torch.tensor(0, dtype=torch.int32)), name='sorter_0d_int32')
check('torch.searchsorted', lambda torch: torch.searchsorted(
    _seq(torch), _v(torch), sorter=torch.tensor([0, 1], dtype=torch.int32)), name='sorter_size_first')
check('torch.searchsorted', _ss(_seq2, _s0, sorter=_tensor([[0, 1, 5], [0, 1, 2]])), name='sorter_range')
check('torch.searchsorted', _ss(_seq2, _tensor([[1.], [5.]]), sorter=_tensor([[2, 1, 0], [0, 1, 2]])),
      name='sorter_2d')
check('torch.searchsorted', _ss(_seq, _v, out=lambda torch: torch.empty(2)), name='out_float')
check('torch.searchsorted', _ss(_s0, _v, out=lambda torch: torch.empty(2)), name='out_float_boundary_0d')
check('torch.searchsorted', _ss(_seq, 2.5, out_int32=True, out=lambda torch: torch.empty(0, dtype=torch.int32)),
      name='scalar_out_int32')

# --- searchsorted / bucketize: argument errors -----------------------------------------------------
check('torch.searchsorted', _ss([1, 2], _v, right=True), name='boundary_list')
check('torch.searchsorted', _ss(_seq, _v, right=None), name='right_none')
check('torch.searchsorted', _ss(_seq, _v, side=1), name='side_int')
check('torch.searchsorted', _ss(_seq, _v, 1, 2, 3, 4, 5, 6), name='too_many_positional')
check('torch.bucketize', _call('bucketize', 2, _seq, out=_ones(1, dtype='long')), name='scalar_out')
check('torch.bucketize', _call('bucketize', 2, _seq, out_int32=False, right=True, out=_ones(1, dtype='long')),
      name='scalar_5_args')
check('torch.bucketize', _call('bucketize', self=2, boundaries=_seq), name='self_keyword')
check('torch.bucketize', _call('bucketize', _v, _seq, side='left'), name='side')

# --- bucketize -------------------------------------------------------------------------------------
check('torch.bucketize', _call('bucketize', _s0, _s0), name='boundaries_0d')
check('torch.bucketize', _call('bucketize', 2, _seq2), name='scalar_boundaries_2d')
check('torch.bucketize', _call('bucketize', _ones(2, 0), _seq), name='input_2x0')
check('torch.bucketize', _call('bucketize', True, _tensor([False, True])), name='bool')
check('torch.bucketize', _call('bucketize', _s0, _seq, out_int32=True), name='input_0d')

# --- trapezoid, trapz: 0-d and empty ---------------------------------------------------------------
check('torch.trapezoid', _call('trapezoid', _s0, _s0), name='y_0d_x_0d')
check('torch.trapezoid', _call('trapezoid', _s0, _ones(3), dim=-2), name='y_0d_bad_dim')
check('torch.trapezoid', _call('trapezoid', _s0, dx=2, dim=-5), name='y_0d_dx')
check('torch.trapezoid', _call('trapezoid', _ones(3), _s0), name='x_0d')
check('torch.trapezoid', _call('trapezoid', _ones(2, 3), _s0, dim=0), name='x_0d_dim0')
check('torch.trapz', _call('trapz', _ones(2, 1, 3), _ones(2, 3), dim=2), name='x_fewer_dims')
check('torch.trapezoid', _call('trapezoid', _ones(2, 3), _ones(4, 2, 3), dim=0), name='x_more_dims')
check('torch.trapezoid', _call('trapezoid', _ones(3), _ones(0)), name='x_too_short')
check('torch.trapezoid', _call('trapezoid', _ones(2, 3), _ones(0, 3), dim=-1), name='x_2d_empty')
check('torch.trapezoid', lambda torch: (torch.trapezoid(torch.ones(0, dtype=torch.int64), torch.ones(3)),
                                         torch.trapezoid(torch.ones(2, 0, dtype=torch.bool), dx=True)),
      name='y_empty_dtype')
check('torch.trapz', _call('trapz', _ones(2, 0, dtype='int64'), _ones(5), dim=1), name='y_empty')

# --- trapezoid family: dtypes and dx ---------------------------------------------------------------
check('torch.trapezoid', _call('trapezoid', _ones(3, dtype='bool')), name='bool_y')
check('torch.trapezoid', _call('trapezoid', _ones(3), _ones(2, dtype='bool')), name='bool_x')
check('torch.trapezoid', _call('trapezoid', _ones(3), dx=True), name='dx_bool')
check('torch.trapezoid', _call('trapezoid', _ones(3), dx=_tensor(2 + 0j)), name='dx_complex')
check('torch.trapz', lambda torch: (torch.trapz(torch.ones(3), dx=True),
                                     torch.trapz(torch.ones(3), dx=torch.tensor(2 + 0j))), name='dx_to_double')
check('torch.trapz', _call('trapz', _ones(3), dx=_tensor(2 + 1j)), name='dx_complex')
check('torch.trapezoid', lambda torch: (torch.trapezoid(torch.arange(4), dx=torch.tensor(2.5, dtype=torch.float64)),
                                         torch.trapezoid(torch.arange(4), torch.arange(4))), name='int_y_dtypes')

# --- trapezoid family: argument errors -------------------------------------------------------------
check('torch.trapezoid', _call('trapezoid', _ones(3), 2, dim=0), name='x_scalar')
check('torch.trapz', _call('trapz', _ones(3), 0.5, dim=0), name='x_scalar')
check('torch.trapezoid', _call('trapezoid', _ones(3), _ones(3), dx=1, dim=0), name='x_and_dx')
check('torch.trapezoid', _call('trapezoid', _ones(3), _ones(3), 0, 1), name='four_positional')
check('torch.trapezoid', _call('trapezoid', dx=2), name='missing_y')
check('torch.trapezoid', _call('trapezoid', 5), name='y_int')
check('torch.trapezoid', _call('trapezoid', _ones(3), dx=lambda torch: torch.tensor(2., requires_grad=True)),
      name='dx_requires_grad')
check('torch.trapz', _call('trapz', _ones(3), dx=2 + 1j), name='dx_python_complex')

# --- cumulative_trapezoid --------------------------------------------------------------------------
check('torch.cumulative_trapezoid', _call('cumulative_trapezoid', _s0), name='y_0d')
check('torch.cumulative_trapezoid', _call('cumulative_trapezoid', _s0, _ones(3)), name='y_0d_x_1d')
check('torch.cumulative_trapezoid', _call('cumulative_trapezoid', _s0, dx=True), name='y_0d_dx_bool')
check('torch.cumulative_trapezoid', _call('cumulative_trapezoid', _tensor(True), dx=True), name='bool_before_dx')
check('torch.cumulative_trapezoid', lambda torch: (
    torch.cumulative_trapezoid(torch.ones(0), torch.tensor(2.)),
    torch.cumulative_trapezoid(torch.ones(2, 0), torch.tensor(2.), dim=0)), name='y_empty_x_0d')
check('torch.cumulative_trapezoid', _call('cumulative_trapezoid', _ones(0), _ones(3, 1)), name='y_empty_x_2d')
check('torch.cumulative_trapezoid', _call('cumulative_trapezoid', _ones(0), _ones(3)), name='y_empty_x_too_long')
check('torch.cumulative_trapezoid', _call('cumulative_trapezoid', _ones(2, 1, 3), _ones(2, 3), dim=2),
      name='x_fewer_dims')
check('torch.cumulative_trapezoid', _call('cumulative_trapezoid', _ones(3), 2), name='x_scalar')
