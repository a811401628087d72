"""Names real code uses that faketorch lacked: torch.sparse.FloatTensor & co., torch.ops.profiler's
record-function ops, torch.ops / torch.classes load_library, torch.cuda._sleep and torch.cuda.nccl
(a CPU build's answers), torch._higher_order_ops.foreach_map, torch.utils.flop_counter's formulas,
torch.utils.mobile_optimizer, and torch.utils.benchmark's Fuzzer."""
import importlib
import warnings

from conformance import case, check


def _mod(torch, name):
    return importlib.import_module(f'{torch.__name__}.{name}')


def _warned(f):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        out = f()
    return out, [(x.category.__name__, str(x.message)) for x in w if 'invariant checks' not in str(x.message)]


def _err(f):
    try:
        f()
    except Exception as e:
        return type(e).__name__, str(e).split('\nException raised from')[0]


# --- torch.sparse.FloatTensor & co. -------------------------------------------------------------------

@case('torch.sparse.FloatTensor')
def legacy_sparse_forms(torch):
    # each form warns once per process (the first case to build them here is this one)
    S = torch.sparse
    i, v = torch.tensor([[0, 1, 1], [2, 0, 2]]), torch.tensor([3., 4., 5.])
    made, warned = _warned(lambda: [
        S.FloatTensor(i, v, torch.Size([2, 3])), S.FloatTensor(i, v, (2, 3)), S.FloatTensor(i, v, [2, 3]),
        S.FloatTensor(i, v), S.FloatTensor(), S.FloatTensor(2, 3), S.FloatTensor(i, torch.tensor([1, 2, 3]), (2, 3)),
        S.DoubleTensor(i, v, (2, 3)), S.LongTensor(i, torch.tensor([1, 2, 3]), (2, 3)), S.DoubleTensor(2, 3),
        S.LongTensor(torch.Size([2, 3])), S.IntTensor(4), S.FloatTensor(i, v, (2, 3), device='cpu')])
    return [(repr(t), t.dtype, t.type()) for t in made], warned


@case('torch.sparse.FloatTensor')
def legacy_sparse_isinstance(torch):
    S = torch.sparse
    s = torch.sparse_coo_tensor([[0, 1], [1, 0]], [1., 2.], (2, 2))
    d = torch.ones(2)
    return ([isinstance(x, c) for x in (s, s.double(), d) for c in (S.FloatTensor, S.DoubleTensor, torch.FloatTensor)],
            S.FloatTensor.__name__, S.FloatTensor.__module__, S.FloatTensor.dtype, S.LongTensor.dtype,
            S.FloatTensor.is_sparse, S.FloatTensor.is_cuda,
            sorted(n for n in dir(S) if n.endswith('Tensor') and n not in ('Tensor', 'SparseTensor',
                                                                             'SparseSemiStructuredTensor')))


_i, _v = [[0, 1], [2, 0]], [3., 4.]
check('torch.sparse.FloatTensor', lambda torch: torch.sparse.FloatTensor(2.0), name='bad_arg')
check('torch.sparse.FloatTensor', lambda torch: torch.sparse.FloatTensor([1, 2]), name='sequence')
check('torch.sparse.FloatTensor', lambda torch: torch.sparse.FloatTensor((2, 3)), name='tuple_of_sizes')
check('torch.sparse.FloatTensor', lambda torch: torch.sparse.FloatTensor(torch.tensor(_i), 3), name='int_values')
check('torch.sparse.FloatTensor', lambda torch: torch.sparse.FloatTensor(torch.tensor(_i), torch.ones(2), (2.5, 3)),
      name='float_size')
check('torch.sparse.FloatTensor', lambda torch: torch.sparse.FloatTensor(torch.ones(2)), name='one_tensor')
check('torch.sparse.FloatTensor', lambda torch: torch.sparse.FloatTensor(torch.tensor(_i), _v, (2, 3)),
      name='list_values')
check('torch.sparse.FloatTensor', lambda torch: torch.sparse.FloatTensor(torch.tensor(_i).int(), torch.tensor(_v),
                                                                         (2, 3)), name='int32_indices')
check('torch.sparse.FloatTensor', lambda torch: torch.sparse.FloatTensor(torch.tensor(_i), torch.tensor(_v), (2, 3), 5),
      name='four_args')


# --- torch.ops.profiler, torch.ops.load_library, torch.classes ----------------------------------------

@case('torch.ops.profiler._record_function_enter')
def record_function_ops(torch):
    P = torch.ops.profiler
    h = P._record_function_enter('label', None)
    h2 = P._record_function_enter_new('label2', 'args')
    return (type(h).__name__, h.dtype, P._record_function_exit(h), str(h2),
            P._record_function_exit._RecordFunction(h2), P._record_function_exit(h2),
            [getattr(P, n).overloads() for n in ('_record_function_enter', '_record_function_enter_new',
                                                  '_record_function_exit')],
            repr(P._record_function_enter), repr(P._record_function_exit._RecordFunction), str(P._record_function_exit))


check('torch.ops.profiler._record_function_enter', lambda torch: torch.ops.profiler._record_function_enter(5),
      name='int_name')
check('torch.ops.profiler._record_function_enter_new', lambda torch: torch.ops.profiler.nothing_here,
      name='unknown_op')


@case('torch.classes.load_library')
def load_library_missing(torch):
    return (_err(lambda: torch.classes.load_library('/nonexistent/libx.so')),
            _err(lambda: torch.ops.load_library('/nonexistent/liby.so')),
            sorted(torch.classes.loaded_libraries), repr(torch.classes), torch.classes.profiler.__name__)


check('torch.classes.load_library', lambda torch: torch.classes.foo.Bar, name='unregistered_class')


# --- torch.cuda on a CPU build ------------------------------------------------------------------------

@case('torch.cuda._sleep')
def cuda_sleep_cpu(torch):
    if torch.cuda.is_available():       # a CPU build has no binding; with a GPU faketorch spins a kernel
        return None
    return _err(lambda: torch.cuda._sleep(100))


@case('torch.cuda.nccl.version')
def nccl_cpu(torch):
    nccl = torch.cuda.nccl
    return (_err(nccl.version), _warned(lambda: nccl.is_available([torch.ones(1)])), nccl.SUM,
            _err(lambda: nccl.all_reduce(torch.ones(1))), _err(lambda: nccl.all_reduce([torch.ones(1)])),
            _err(lambda: nccl.broadcast([torch.ones(1)])), _err(nccl.unique_id), sorted(nccl.__all__))


# --- torch._higher_order_ops.foreach_map --------------------------------------------------------------

@case('torch._higher_order_ops.foreach_map')
def foreach_map_eager(torch):
    hop = _mod(torch, '_higher_order_ops')
    a, b = [torch.ones(2), torch.arange(3.)], [torch.full((2,), 2.), torch.ones(3)]
    return (hop.foreach_map(torch.add, a, b), hop.foreach_map(lambda x, y: x * y + 1, a, b),
            hop.foreach_map(torch.add, a, 3), hop.foreach_map(torch.neg, a),
            hop.foreach_map(torch.add, torch.ones(1), 3),
            hop.foreach_map(torch.add, a, b[:1]), hop.foreach_map(torch.mul, tuple(a), b), hop._foreach_map.name())


check('torch._higher_order_ops.foreach_map',
      lambda torch: _mod(torch, '_higher_order_ops')._foreach_map(torch.neg, [torch.ones(1)]),
      name='direct_call_passes_lists')


# --- torch.utils.flop_counter -------------------------------------------------------------------------

@case('torch.utils.flop_counter.register_flop_formula')
def flop_formulas(torch):
    fc = _mod(torch, 'utils.flop_counter')
    aten, reg = torch.ops.aten, fc.flop_registry
    x, w = torch.ones(2, 3, 9, 9), torch.ones(4, 3, 3, 3)
    a, b, c = torch.ones(5, 7), torch.ones(7, 2), torch.ones(5, 2)
    ba, bb = torch.ones(3, 5, 7), torch.ones(3, 7, 2)
    return (reg[aten.mm](a, b, out_val=c), reg[aten.addmm](c, a, b, out_val=c), reg[aten.bmm](ba, bb),
            reg[aten.baddbmm](torch.ones(3, 5, 2), ba, bb),
            reg[aten.convolution](x, w, None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1,
                                  out_val=torch.nn.functional.conv2d(x, w)),
            reg[aten.convolution](torch.ones(2, 4, 7, 7), w, None, [1, 1], [0, 0], [1, 1], True, [0, 0], 1,
                                  out_val=torch.ones(2, 3, 9, 9)),
            fc.mm_flop([5, 7], [7, 2]), fc.conv_flop_count([1, 2, 5, 5], [4, 2, 3, 3], [1, 4, 3, 3]),
            _err(lambda: reg[aten.mm](a, a)))


@case('torch.utils.flop_counter.register_flop_formula')
def flop_register_custom(torch):
    fc = _mod(torch, 'utils.flop_counter')
    lib = 'tier3'

    @torch.library.custom_op(f'{lib}::twice', mutates_args=())
    def twice(x: torch.Tensor) -> torch.Tensor:
        return x * 2

    @fc.register_flop_formula(torch.ops.__getattr__(lib).twice)
    def twice_flop(x_shape, out_shape=None, **kwargs):
        return x_shape[0] * 10 + out_shape[0]

    raw = fc.register_flop_formula([getattr(torch.ops, lib).twice], get_raw=True)
    return (twice_flop(torch.ones(3), out_val=torch.ones(3)),
            fc.flop_registry[getattr(torch.ops, lib).twice] is twice_flop,
            _err(lambda: raw(lambda *a, **k: 0)), _err(lambda: fc.register_flop_formula('aten_mm')(lambda: 0)),
            _err(lambda: fc.register_flop_formula(torch.ops.aten.mm)(lambda: 0)))


# --- torch.utils.mobile_optimizer ---------------------------------------------------------------------

@case('torch.utils.mobile_optimizer.optimize_for_mobile')
def optimize_for_mobile_runs(torch):
    mo = _mod(torch, 'utils.mobile_optimizer')
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2)).eval()
    # torch's CPU wheel has no XNNPACK: the CPU optimization fails (Vulkan / Metal fail with their own messages)
    return (_err(lambda: mo.optimize_for_mobile(torch.jit.script(m))),
            _err(lambda: mo.optimize_for_mobile(torch.jit.script(m), preserved_methods=['forward'])),
            [(t.name, int(t)) for t in mo.MobileOptimizerType.__members__.values()],
            repr(mo.MobileOptimizerType.CONV_BN_FUSION), [c.name for c in mo.LintCode],
            _err(lambda: mo.optimize_for_mobile(3)),
            _err(lambda: mo.optimize_for_mobile(torch.jit.script(m), preserved_methods=['nope', 'nada'])),
            _err(lambda: mo.optimize_for_mobile(torch.jit.script(m), backend='tpu')))


# --- torch.utils.benchmark.Fuzzer ---------------------------------------------------------------------

def _fuzz(torch, seed, n):
    bm = _mod(torch, 'utils.benchmark')
    P, T, A = bm.FuzzedParameter, bm.FuzzedTensor, bm.ParameterAlias
    fz = bm.Fuzzer([P('n', 4, 64, 'loguniform'), P('m', 2, 9, 'uniform'), P('s', 1, 3, 'uniform'),
                    P('r', 0.5, 2.5, 'uniform'), P('a', 1, 5, 'uniform', strict=True), [P('d', 1, 3, 'uniform')],
                    P('ali', 3, 3, 'uniform')],
                   [T('x', ('n', 'm', 3), steps=('s', 1, 2), dim_parameter='d', probability_contiguous=0.3,
                      max_elements=2000),
                    T('y', ('m', 'n'), dtype=torch.int32, min_elements=10, max_allocation_bytes=1500),
                    T('z', (A, 'a'), tensor_constructor=lambda size, dtype, **kw: torch.full(size, float(kw['m'])))
                    if False else T('z', ('a', 'm'), tensor_constructor=lambda size, dtype, **kw:
                                    torch.full(size, float(kw['m']), dtype=dtype))],
                   constraints=[lambda p: p['n'] % 2 == 0], seed=seed)
    out = []
    for tensors, props, params in fz.take(n):
        out.append((sorted(params.items()), {k: (v, v.stride(), v.is_contiguous()) for k, v in tensors.items()},
                    {k: dict(p, order=[int(o) for o in p['order']]) for k, p in props.items()}))
    return out, fz.rejection_rate


check('torch.utils.benchmark.Fuzzer', lambda torch: _fuzz(torch, 5, 5), name='seed5')
check('torch.utils.benchmark.Fuzzer', lambda torch: _fuzz(torch, 123, 3), name='seed123')


@case('torch.utils.benchmark.Fuzzer')
def fuzzer_errors(torch):
    bm = _mod(torch, 'utils.benchmark')
    P, T, A = bm.FuzzedParameter, bm.FuzzedTensor, bm.ParameterAlias
    cyc = bm.Fuzzer([P('a', distribution={A('b'): 0.25}), P('b', distribution={A('a'): 0.25})], [], seed=0)
    bad = bm.Fuzzer([P('n', distribution={1: 0.3, 2: 0.3})], [], seed=0)
    tight = bm.Fuzzer([P('n', 1, 4, 'uniform')], [T('x', ('n',), min_elements=10)], seed=0)
    return (repr(A('k')), _err(lambda: P('x', 1, 2, 'normal')), _err(lambda: P('x', distribution={1: -0.5, 2: 1.5})),
            _err(lambda: P('x', 1, distribution={1: 0.5})), _err(lambda: P('x', distribution={1: 0.5, 2: 0.5})),
            _err(lambda: bm.Fuzzer([P('x', 1, 2, 'uniform')], [T('x', (2,))])),
            _err(lambda: next(cyc.take(1))), _err(lambda: next(bad.take(1))), _err(lambda: next(tight.take(1))),
            tight.rejection_rate)


@case('torch.utils.benchmark.op_fuzzers.binary.BinaryOpFuzzer')
def op_fuzzers_in_2_13(torch):
    # torch 2.13 rejects the normalized distributions these fuzzers declare (an inverted check)
    return (_err(lambda: _mod(torch, 'utils.benchmark.op_fuzzers.binary').BinaryOpFuzzer(0)),
            _err(lambda: _mod(torch, 'utils.benchmark.op_fuzzers.unary').UnaryOpFuzzer(seed=1)))


# --- torch.distributed.autograd / optim / nn.RemoteModule before RPC is up (tests/test_distributed_rpc.py
# runs them across processes) --------------------------------------------------------------------------

@case('torch.distributed.autograd.context')
def dist_autograd_before_rpc(torch):
    da = _mod(torch, 'distributed.autograd')
    dnn = _mod(torch, 'distributed.nn')
    return (da.is_available(), da.__all__, _err(lambda: da.context().__enter__()), _err(lambda: da.get_gradients(0)),
            _err(lambda: da.backward(0, [torch.ones(())])), _err(lambda: da._current_context()),
            _err(lambda: dnn.RemoteModule('worker1/cpu', torch.nn.Linear, (2, 2))),
            _mod(torch, 'distributed.optim').DistributedOptimizer.__name__,
            torch.distributed.autograd.__name__.split('.')[-1])


check('torch.distributed.autograd.backward',
      lambda torch: _mod(torch, 'distributed.autograd').backward(0, torch.ones(())), name='roots_not_a_list')
