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
