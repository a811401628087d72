"""Tensor creation against torch (found by a fuzz of the factories): torch.tensor's dtype inference
and checked element conversion, size and fill-value parsing, range factories, argument errors."""
import numpy as np

from conformance import check, outcomes


def _outcomes(torch, *fns):
    return outcomes(*fns)


# --- torch.tensor from Python data -----------------------------------------------------------------
check('torch.tensor', lambda torch: _outcomes(
    torch, lambda: torch.tensor([torch.tensor(1, dtype=torch.int32), 2]),
    lambda: torch.tensor([torch.tensor(1., dtype=torch.float16), 2.]),
    lambda: torch.tensor([np.int32(1), 2]), lambda: torch.tensor([np.float16(1), np.float64(2)]),
    lambda: torch.tensor([np.float64(1), 2.])), name='leaf_dtypes_promote')
check('torch.tensor', lambda torch: _outcomes(
    torch, lambda: torch.tensor(2 ** 63), lambda: torch.tensor([1, -2 ** 63 - 1]),
    lambda: torch.tensor([2 ** 63, 1.])), name='int_beyond_int64')
check('torch.tensor', lambda torch: _outcomes(
    torch, lambda: torch.tensor([300], dtype=torch.uint8), lambda: torch.tensor([-1, -255], dtype=torch.uint8),
    lambda: torch.tensor([-0.5], dtype=torch.uint8), lambda: torch.tensor([float('nan')], dtype=torch.int64),
    lambda: torch.tensor([float('inf')], dtype=torch.int32), lambda: torch.tensor([1.7, -1.7], dtype=torch.int8),
    lambda: torch.tensor(-1, dtype=torch.uint32)), name='checked_conversion')
check('torch.tensor', lambda torch: _outcomes(
    torch, lambda: torch.tensor([1 + 2j], dtype=torch.float32), lambda: torch.tensor([1 + 2j], dtype=torch.int64),
    lambda: torch.tensor([1 + 1j, 0j], dtype=torch.bool)), name='complex_into_real')
check('torch.tensor', lambda torch: _outcomes(
    torch, lambda: torch.tensor([1.5], dtype=torch.uint64), lambda: torch.tensor([-1], dtype=torch.uint64),
    lambda: torch.tensor([2 ** 64], dtype=torch.uint64), lambda: torch.tensor([1, 2 ** 63], dtype=torch.uint64)),
    name='uint64_takes_ints')
check('torch.tensor', lambda torch: _outcomes(
    torch, lambda: torch.tensor([[], [1]]), lambda: torch.tensor([1, []]), lambda: torch.tensor([[1, 2], []]),
    lambda: torch.tensor([np.array(1.5), np.array(2)]), lambda: torch.tensor([[1, 2], range(2)])),
    name='sizes_from_first_element')
check('torch.tensor', lambda torch: _outcomes(
    torch, lambda: torch.tensor([torch.tensor([1, 2]), torch.tensor([3, 4])]),
    lambda: torch.tensor([torch.tensor([]), torch.tensor([])]),
    lambda: torch.tensor([torch.tensor([1.5]), torch.tensor([2.])]),
    lambda: torch.tensor([torch.tensor(1.5), 2], dtype=torch.int64),
    lambda: torch.tensor([torch.tensor(1., requires_grad=True), 2.])), name='tensor_leaves')
check('torch.tensor', lambda torch: _outcomes(
    torch, lambda: torch.tensor(None), lambda: torch.tensor([1, None]), lambda: torch.tensor({1: 2}),
    lambda: torch.tensor(x for x in range(2)), lambda: torch.tensor(range(3))), name='cannot_infer')
check('torch.tensor', lambda torch: _outcomes(
    torch, lambda: torch.tensor([np.bool_(True)], dtype=torch.float32), lambda: torch.tensor(np.bool_(True)),
    lambda: torch.tensor([np.bool_(True), 2]), lambda: torch.tensor(np.float32(1.5), dtype=torch.int64)),
    name='numpy_scalar_leaves')
check('torch.tensor', lambda torch: _outcomes(
    torch, lambda: torch.tensor([1, 2], dtype=float), lambda: torch.tensor([1, 2], dtype=int),
    lambda: torch.tensor([1, 2], dtype=bool), lambda: torch.tensor([1, 2], dtype=complex),
    lambda: torch.tensor([1, 2], dtype='float32'), lambda: torch.ones(2, dtype=float),
    lambda: torch.arange(3, dtype=int)), name='python_type_dtype')
check('torch.from_numpy', lambda torch: _outcomes(
    torch, lambda: torch.from_numpy(np.array([1, 2], dtype='>i4')), lambda: torch.from_numpy(np.array(['a'])),
    lambda: torch.from_numpy(np.array([1], dtype=object)), lambda: torch.from_numpy(np.float64(2)),
    lambda: torch.tensor(np.array([1, 2], dtype='>i4'))), name='unsupported_arrays')

# --- asarray ---------------------------------------------------------------------------------------
check('torch.asarray', lambda torch: _outcomes(
    torch, lambda: torch.asarray([1, 2], copy=False),
    lambda: torch.asarray(torch.tensor([1., 2]), copy=False, dtype=torch.float64),
    lambda: torch.asarray(torch.tensor([1., 2], requires_grad=True)),
    lambda: torch.asarray(torch.tensor([1., 2], requires_grad=True), requires_grad=False),
    lambda: torch.asarray(torch.tensor([1., 2], requires_grad=True), copy=True),
    lambda: torch.asarray([1, 2], requires_grad=True), lambda: torch.asarray(bytearray(b'abcd')),
    lambda: torch.asarray(np.array([1, 2]), dtype=float)), name='alias_and_grad')

# --- sizes and fill values -------------------------------------------------------------------------
for _f in ('zeros', 'ones', 'empty'):
    check(f'torch.{_f}', lambda torch, f=_f: _outcomes(
        torch, lambda: getattr(torch, f)(2, -1), lambda: getattr(torch, f)(2.0),
        lambda: getattr(torch, f)(2, 3.5), lambda: getattr(torch, f)(True), lambda: getattr(torch, f)(),
        lambda: getattr(torch, f)((2,), (3,)), lambda: getattr(torch, f)(torch.tensor(3.)),
        lambda: getattr(torch, f)([2, torch.tensor(3.)]), lambda: getattr(torch, f)(np.array([2])),
        lambda: getattr(torch, f)((2.0, 3)), lambda: getattr(torch, f)(np.int32(2), torch.tensor(1))),
        name='size_parsing', values=False)
check('torch.zeros', lambda torch: torch.zeros(2, out=torch.empty(3, dtype=torch.int32), dtype=torch.float32),
      name='out_dtype_mismatch')
check('torch.full', lambda torch: _outcomes(
    torch, lambda: torch.full(2, 1), lambda: torch.full((2,), torch.tensor([1.5])),
    lambda: torch.full((2,), 'a'), lambda: torch.full((2,), None), lambda: torch.full((2,), torch.tensor(1.5))),
    name='argument_types')
check('torch.full', lambda torch: _outcomes(
    torch, *[lambda d=d, v=v: torch.full((1,), v, dtype=getattr(torch, d))
             for d in ('uint8', 'int8', 'int32', 'int64', 'uint32', 'float16', 'float32', 'float64', 'complex64')
             for v in (1e300, float('nan'), 1j, -1, 2 ** 63 - 1, float('inf'), 70000)]),
    name='checked_fill_value')
check('torch.full', lambda torch: _outcomes(torch, lambda: torch.full((2,), 2 ** 63)), name='fill_beyond_int64')
check('torch.full_like', lambda torch: _outcomes(
    torch, lambda: torch.full_like(torch.tensor([1]), 300, dtype=torch.uint8),
    lambda: torch.full_like(torch.tensor([1]), float('nan')), lambda: torch.zeros_like([1, 2]),
    lambda: torch.full_like(torch.tensor([1.5]), 2.7, dtype=torch.int32)), name='checked_fill_value')
check('Tensor.new_full', lambda torch: _outcomes(
    torch, lambda: torch.ones(2).new_full(2, 1), lambda: torch.ones(2).new_full((2,), 1j),
    lambda: torch.ones(2).new_ones(2, 3.5), lambda: torch.ones(2).new_zeros(-1), lambda: torch.ones(2).new_ones(),
    lambda: torch.ones(2).new_ones((2,), dtype=int)), name='argument_errors')
check('torch.scalar_tensor', lambda torch: _outcomes(
    torch, lambda: torch.scalar_tensor(1j), lambda: torch.scalar_tensor(300, dtype=torch.uint8),
    lambda: torch.scalar_tensor(-1, dtype=torch.uint8), lambda: torch.scalar_tensor(float('nan'), dtype=torch.int64),
    lambda: torch.scalar_tensor('a'), lambda: torch.scalar_tensor(1e40), lambda: torch.scalar_tensor(torch.tensor(2.))),
    name='checked_value')
check('torch.empty_strided', lambda torch: _outcomes(
    torch, lambda: torch.empty_strided((2, 3), (1, 2.5)), lambda: torch.empty_strided(2, (1,)),
    lambda: torch.empty_strided((2, 3.5), (1, 2)), lambda: torch.empty_strided((2, -1), (1, 1)),
    lambda: torch.empty_strided((2, 3), (1, -1))), name='argument_errors', values=False)

# --- ranges ----------------------------------------------------------------------------------------
check('torch.arange', lambda torch: _outcomes(
    torch, lambda: torch.arange(0, 5.5, 1.5, dtype=torch.int64), lambda: torch.arange(0, 2.5, 0.5, dtype=torch.int32),
    lambda: torch.arange(-2.5, 3.5, 1.9, dtype=torch.int16), lambda: torch.arange(0.9, 3.5, 1, dtype=torch.int64),
    lambda: torch.arange(-3, 3, dtype=torch.uint8)), name='integer_dtype_truncates')
check('torch.arange', lambda torch: _outcomes(
    torch, lambda: torch.arange(0, 5, dtype=torch.bool), lambda: torch.arange(0, 5, dtype=torch.complex64),
    lambda: torch.arange(1j), lambda: torch.arange(0, 5, float('nan')), lambda: torch.arange(0, 1e20),
    lambda: torch.arange(float('nan'), 5), lambda: torch.arange(0.5, float('inf')),
    lambda: torch.arange(torch.tensor([3])), lambda: torch.arange('a'),
    lambda: torch.arange(np.float32(3)), lambda: torch.arange(0, 1, 0.1, dtype=torch.float16)),
    name='argument_checks')
check('torch.range', lambda torch: _outcomes(
    torch, lambda: torch.range(0, 5, 0), lambda: torch.range(0, 5, -1), lambda: torch.range(4),
    lambda: torch.range(float('nan'), 4), lambda: torch.range(0, 4.5, 1.5, dtype=torch.int64),
    lambda: torch.range(0, 5, dtype=torch.bool), lambda: torch.range(1j, 5), lambda: torch.range('a', 5)),
    name='argument_checks')
check('torch.linspace', lambda torch: _outcomes(
    torch, lambda: torch.linspace(0, 1j, 3), lambda: torch.linspace(1 + 1j, 2 + 3j, 3),
    lambda: torch.linspace(0, 1, 5, dtype=torch.bool), lambda: torch.linspace(torch.tensor([0.]), 1, 3),
    lambda: torch.linspace(0, 1, torch.tensor(3)), lambda: torch.linspace(1j, 2, 1)), name='complex_and_checks')
check('torch.logspace', lambda torch: _outcomes(
    torch, lambda: torch.logspace(0, 1j, 3), lambda: torch.logspace(0, 2, 3, dtype=torch.bool),
    lambda: torch.logspace(0, torch.tensor([2.]), 3)), name='complex_and_checks')
check('torch.eye', lambda torch: _outcomes(
    torch, lambda: torch.eye(2, -1), lambda: torch.eye(2.0), lambda: torch.eye(2, dtype=float)),
    name='argument_checks')
check('torch.tril_indices', lambda torch: _outcomes(
    torch, lambda: torch.tril_indices(-1, 3), lambda: torch.triu_indices(3, -1),
    lambda: torch.tril_indices(3, 3, dtype=torch.float32), lambda: torch.triu_indices(3, 3, dtype=torch.bool),
    lambda: torch.triu_indices(3.0, 3), lambda: torch.tril_indices(3, 3, 1.5),
    lambda: torch.tril_indices(3, 3, dtype=torch.int32)), name='argument_checks')
check('torch.complex', lambda torch: _outcomes(
    torch, lambda: torch.complex(1., 2.), lambda: torch.complex(torch.tensor([1.]), 2.),
    lambda: torch.polar(1., torch.tensor([2.])), lambda: torch.polar(torch.tensor([1.]), 2)),
    name='tensor_arguments')
check('torch.frombuffer', lambda torch: _outcomes(
    torch, lambda: torch.frombuffer(bytearray(b'\x01\x02\x03\x04')),
    lambda: torch.frombuffer([1, 2], dtype=torch.uint8)), name='argument_errors')

# --- random factories: argument checks only --------------------------------------------------------
check('torch.randint', lambda torch: _outcomes(
    torch, lambda: torch.randint(5, size=(2,)).shape, lambda: torch.randint(0, 5),
    lambda: torch.randint(0, 5, (2,), dtype=torch.complex64), lambda: torch.randint(0, 5, (2,), dtype=float).dtype),
    name='argument_forms')
check('torch.randperm', lambda torch: _outcomes(
    torch, lambda: torch.randperm(3.5), lambda: torch.randperm(3, dtype=torch.bool),
    lambda: torch.randperm(257, dtype=torch.uint8), lambda: torch.randperm(256, dtype=torch.uint8).shape,
    lambda: torch.randperm(3, dtype=torch.complex64), lambda: torch.randperm(3, dtype=float).dtype),
    name='argument_checks')
check('torch.rand', lambda torch: _outcomes(
    torch, lambda: torch.rand(2, dtype=torch.int64), lambda: torch.rand(2, dtype=torch.bool),
    lambda: torch.randn(2, dtype=torch.int64), lambda: torch.rand(2, -1), lambda: torch.randn(2.5)),
    name='dtype_and_size_checks')

# --- conversions -----------------------------------------------------------------------------------
check('Tensor.to', lambda torch: _outcomes(
    torch, lambda: torch.ones(2).to(float), lambda: torch.ones(2).to(int), lambda: torch.ones(2).to(dtype=bool),
    lambda: torch.ones(2).to('cpu', complex)), name='python_type_dtype')
check('Tensor.type', lambda torch: _outcomes(
    torch, *[lambda d=d: torch.ones(1, dtype=getattr(torch, d)).type() for d in ('uint16', 'uint32', 'uint64',
                                                                              'bool', 'bfloat16', 'complex64')],
    lambda: torch.ones(2).type(float)), name='names_and_python_type')
check('Tensor.__int__', lambda torch: _outcomes(
    torch, lambda: int(torch.tensor(1 + 2j)), lambda: float(torch.tensor(1 + 2j)), lambda: int(torch.tensor(3 + 0j)),
    lambda: float(torch.tensor([2 - 0j]))), name='complex')
check('Tensor.__invert__', lambda torch: _outcomes(
    torch, lambda: ~torch.tensor(1.5), lambda: ~torch.tensor([1j]), lambda: ~torch.tensor([1, 2], dtype=torch.uint8)),
    name='float_refused')
