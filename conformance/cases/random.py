"""Random streams: the same numbers as torch's CPU generator after the same seed (exact)."""
from conformance import case, check


def seeded(fn):
    def run(torch):
        torch.manual_seed(1234)
        return fn(torch)
    return run


for _name, _fn in {
    'rand': lambda t: (t.rand(3), t.rand(2, 5, dtype=t.float64), t.rand(17)),
    'randn': lambda t: (t.randn(5), t.randn(33), t.randn(4, 4, dtype=t.float64), t.randn(3)),
    'randint': lambda t: (t.randint(0, 10, (5,)), t.randint(-5, 5, (2, 3)), t.randint(3, (4,)),
                          t.randint(0, 2 ** 40, (3,))),
    'randperm': lambda t: (t.randperm(10), t.randperm(1000)[:20]),
    'normal': lambda t: (t.normal(2.0, 3.0, (5,)), t.normal(t.zeros(3), 1.0), t.normal(t.arange(4.), t.ones(4))),
    'bernoulli': lambda t: (t.bernoulli(t.full((6,), 0.3)), t.ones(8).bernoulli_(0.5)),
    'multinomial': lambda t: (t.multinomial(t.tensor([0.1, 0.2, 0.7]), 5, replacement=True),
                              t.multinomial(t.tensor([[1., 2., 3., 4.]]), 3)),
    'uniform_': lambda t: t.empty(20).uniform_(-2, 3),
    'normal_': lambda t: (t.empty(20).normal_(1, 2), t.empty(3, 4).t().normal_()),
    'random_': lambda t: (t.empty(5, dtype=t.int64).random_(0, 100), t.empty(3).random_(10)),
    'exponential_': lambda t: t.empty(6).exponential_(2.0),
    'cauchy_': lambda t: t.empty(6).cauchy_(),
    'log_normal_': lambda t: t.empty(6).log_normal_(),
    'geometric_': lambda t: t.empty(6).geometric_(0.3),
    'rand_like': lambda t: (t.rand_like(t.ones(2, 2)), t.randn_like(t.ones(3)),
                            t.randint_like(t.ones(4), 0, 7)),
}.items():
    check(f'torch.{_name}' if not _name.endswith('_') else f'Tensor.{_name}', seeded(_fn), name='seeded', exact=True)


@case('torch.Generator', exact=True)
def generator_objects(torch):
    g = torch.Generator().manual_seed(42)
    a = torch.rand(3, generator=g)
    state = g.get_state()
    b = torch.randn(4, generator=g)
    g.set_state(state)
    c = torch.randn(4, generator=g)
    return a, b, c, g.initial_seed(), torch.Generator().initial_seed(), state.shape, state.dtype


@case('torch.get_rng_state', exact=True)
def rng_state_roundtrip(torch):
    torch.manual_seed(7)
    torch.randn(3)
    s = torch.get_rng_state()
    a = torch.randn(5)
    torch.set_rng_state(s)
    return a, torch.randn(5), s[:16], torch.initial_seed()


check('torch.manual_seed', lambda torch: torch.manual_seed(2 ** 64), name='overflow')


# Sweep: seeds x sizes x dtypes, contiguous and transposed outputs, interleaved calls (the cached
# normal), explicit generators. A fast subset of seeds runs by default; FAKETORCH_RNG_SEEDS=all
# runs seeds 0..50.
import os as _os

_SEEDS = range(51) if _os.environ.get('FAKETORCH_RNG_SEEDS') == 'all' else (0, 1, 7, 42)
_SIZES = (0, 1, 2, 15, 16, 17, 31, 32, 33, 100, 1000, 4099)


def _sweep(seed):
    def run(torch):
        torch.manual_seed(seed)
        out = []
        for n in _SIZES:
            for dt in (torch.float32, torch.float64, torch.float16):
                out.append(torch.rand(n, dtype=dt))
                out.append(torch.randn(n, dtype=dt))
            out.append(torch.randint(-3, 1000, (n,)))
            out.append(torch.randint(0, 2 ** 35, (n,)))
            out.append(torch.randint(0, 5, (n,), dtype=torch.int32))
            out.append(torch.randperm(n))
            out.append(torch.empty(n).bernoulli_(0.3))
        return out
    return run


def _layouts(seed):
    def run(torch):
        g = torch.Generator().manual_seed(seed)
        t = torch.empty(17, 5).t()
        out = [t.normal_(generator=g).clone(), torch.empty(3, 7).t().uniform_(generator=g).clone()]
        out += [torch.randn(3, generator=g), torch.empty(5, 4)[:, 1].normal_(generator=g),
                torch.randn(20, generator=g), torch.empty(2).normal_(generator=g),
                torch.empty(7, dtype=torch.float64).exponential_(generator=g),
                torch.multinomial(torch.rand(4, 9, generator=g), 3, generator=g)]
        return out
    return run


for _s in _SEEDS:
    check('torch.rand', _sweep(_s), name=f'sweep_seed{_s}', exact=True)
    check('Tensor.normal_', _layouts(_s), name=f'layouts_seed{_s}', exact=True)


@case('torch.set_rng_state', exact=True)
def state_across_libraries(torch):
    import numpy as np
    torch.manual_seed(3)
    torch.randn(5)
    s = torch.get_rng_state()
    raw = s.numpy().tobytes()
    torch.set_rng_state(torch.from_numpy(np.frombuffer(raw, dtype=np.uint8).copy()))
    return torch.randn(21), len(raw)


@case('nn.Linear', exact=True)
def seeded_linear_init(torch):
    torch.manual_seed(0)
    layer = torch.nn.Linear(3, 5)
    return layer.weight, layer.bias


@case('nn.Dropout')
def seeded_mlp_dropout_shuffled_loader(torch):
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 3))
    x = torch.randn(64, 8)
    y = torch.randint(0, 3, (64,))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16, shuffle=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(5):
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses[:20], model[0].weight


for _f in ('rand', 'randn'):
    for _dt in ('complex64', 'complex128'):
        for _n in (3, 20):      # torch fills the real view: interleaved parts, a normal's std 1/sqrt(2)
            check('torch.' + _f, lambda torch, f=_f, dt=_dt, n=_n: getattr(torch, f)(n, dtype=getattr(torch, dt)),
                  exact=True, name=f'{_dt}_{_n}')
