"""Bugs found by running public training scripts (pytorch/examples, minGPT, nanoGPT, d2l, ...) under
faketorch with `python -m compat diff`: one case per fix."""
from conformance import case, check

# torch.xpu was missing: pytorch/examples pick their device with torch.xpu.is_available()
check('torch.xpu.is_available', lambda torch: (torch.xpu.is_available(), torch.xpu.device_count(),
                                               torch.xpu.is_initialized(), torch.xpu.is_bf16_supported()),
      name='cpu_only')
check('torch.xpu.manual_seed', lambda torch: (torch.xpu.manual_seed(1), torch.xpu.manual_seed_all(1),
                                              torch.xpu.empty_cache(), torch.xpu.memory_allocated(),
                                              torch.xpu.max_memory_reserved(), torch.xpu.memory_stats()),
      name='cpu_only')
check('torch.xpu.synchronize', lambda torch: torch.xpu.synchronize(), name='not_compiled')
check('torch.xpu.current_device', lambda torch: torch.xpu.current_device(), name='not_compiled')
# torch.mps likewise (torch.mps.manual_seed next to torch.cuda.manual_seed in seeding helpers)
check('torch.mps.is_available', lambda torch: (torch.mps.is_available(), torch.mps.device_count(),
                                               torch.mps.manual_seed(0)), name='not_macos')
check('torch.mps.synchronize', lambda torch: torch.mps.synchronize(), name='not_macos')
check('torch.mps.empty_cache', lambda torch: torch.mps.empty_cache(), name='not_macos')

# torch.empty(size=...) (pytorch/examples' GAT) raised a Python TypeError: the fillers took *size only
check('torch.empty', lambda torch: torch.empty(size=(2, 3)).shape, name='size_keyword')
check('torch.zeros', lambda torch: torch.zeros(size=[2, 1], dtype=torch.int64), name='size_keyword')
check('torch.ones', lambda torch: (torch.ones(size=()), torch.ones(size=torch.Size([2]), requires_grad=True)),
      name='size_keyword')
check('torch.zeros', lambda torch: torch.zeros(size=(2,), out=torch.ones(2)), name='size_keyword_out')
check('torch.zeros', lambda torch: torch.zeros(2, size=(2,)), name='size_keyword_twice')
check('torch.zeros', lambda torch: torch.zeros(size=2), name='size_keyword_int')
check('torch.ones', lambda torch: torch.ones(size=None), name='size_keyword_none')
check('torch.empty', lambda torch: torch.empty(2, foo=1), name='unknown_keyword')
check('torch.empty', lambda torch: torch.empty(foo=1), name='unknown_keyword_no_size')

# torch.tensor(deque) (pytorch/examples' REINFORCE keeps its returns in a deque): torch's parser takes
# any Python sequence, faketorch only lists, tuples and ranges
@case('torch.tensor')
def python_sequences(torch):
    import array
    import collections

    class Seq:
        def __init__(self, v):
            self.v = v

        def __len__(self):
            return len(self.v)

        def __getitem__(self, i):
            return self.v[i]
    d = collections.deque
    return (torch.tensor(d([1.0, 2.5])), torch.tensor(d([d([1, 2]), [3, 4]])), torch.tensor([d([1, 2]), d([3, 4])]),
            torch.tensor(collections.UserList([1, 2])), torch.tensor(Seq([1., 2.]), dtype=torch.float64),
            torch.tensor(array.array('f', [1.5, 2.0])), torch.tensor(bytearray(b'ab')), torch.tensor(d()),
            torch.as_tensor(d([1, 2])), torch.Tensor(d([1, 2])), torch.LongTensor(Seq([3, 4])))


check('torch.tensor', lambda torch: torch.tensor(__import__('collections').deque([[1, 2], [3]])), name='deque_ragged')
check('torch.tensor', lambda torch: torch.tensor([torch.tensor(1.), __import__('collections').deque([2.])]),
      name='deque_leaf')
check('torch.tensor', lambda torch: torch.tensor(b'ab', dtype=torch.float64), name='bytes')
check('torch.tensor', lambda torch: torch.tensor({0: 1}), name='dict')
check('torch.tensor', lambda torch: torch.tensor({0: 1}, dtype=torch.float64), name='dict_dtype')

# dropout2d on a 2-D input (pytorch/examples' mnist_rnn: Dropout2d after an LSTM's last output) dropped
# whole rows; torch drops each element (its dropout2d adds no batch dimension), and dropout3d on a
# 2-D input warned-and-ran in torch where faketorch raised
def _dropout_ranks(torch, fn):
    import warnings
    out = []
    for shape in ((), (5,), (4, 6), (3, 4, 5), (2, 3, 4, 2), (2, 2, 2, 2, 2)):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            x = torch.arange(1., 1 + torch.Size(shape).numel()).reshape(shape)
            out.append((fn(x, 0.5), fn(x.clone(), 0.5, True, True), [str(m.message) for m in w]))
    return out


check('torch.nn.functional.dropout2d', lambda torch: _dropout_ranks(torch, torch.nn.functional.dropout2d),
      exact=True, name='every_rank')
check('torch.nn.functional.dropout3d', lambda torch: _dropout_ranks(torch, torch.nn.functional.dropout3d),
      exact=True, name='every_rank')


@case('torch.nn.Dropout2d', exact=True)
def two_d_input_grad(torch):
    import warnings
    x = torch.ones(4, 6, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        y = torch.nn.Dropout2d(0.5)(x)
    y.sum().backward()
    return y, x.grad

# share_memory_ only marked the tensor (pytorch/examples' mnist_hogwild: the trained weights stayed in
# the child processes); now the array moves to shared memory, which a forked child maps and a tensor
# sent through a multiprocessing queue (or to a spawned child) reaches by file descriptor
def _hogwild_child(t, p, q):
    t.add_(1)
    got = q.get()
    got[1].mul_(10)
    p.data.sub_(0.5)
    q.put(None)


@case('torch.Tensor.share_memory_')
def updates_from_other_processes(torch):
    mp = torch.multiprocessing.get_context('fork')
    t = torch.zeros(2, 3).t().share_memory_()
    p = torch.nn.Parameter(torch.ones(3)).share_memory_()
    s = torch.arange(4.).share_memory_()
    q = mp.Queue()
    child = mp.Process(target=_hogwild_child, args=(t, p, q))
    child.start()
    q.put((torch.ones(1), s))
    child.join()
    return t, t.stride(), t.is_shared(), p, p.is_shared(), s, child.exitcode


@case('torch.nn.Module.share_memory')
def hogwild_sgd_step(torch):
    mp = torch.multiprocessing.get_context('fork')
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 2)
    model.share_memory()

    def train():
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        model(torch.ones(4, 3)).sum().backward()
        opt.step()
    child = mp.Process(target=train)
    child.start()
    child.join()
    return model.weight, model.bias, [p.is_shared() for p in model.parameters()], model.weight.grad
