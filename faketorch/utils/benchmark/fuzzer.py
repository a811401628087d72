"""Fuzzer: random parameter sets (sizes, steps, ...) and the tensors they describe, for benchmarking
an op over many shapes and layouts. The draws come from a NumPy RandomState seeded with `seed`, in
torch's order, and the tensor values from torch's generator seeded from it, so a seed gives the same
cases as in torch."""
import functools
import itertools

import numpy as np

import faketorch as torch

__all__ = ['Fuzzer', 'FuzzedParameter', 'ParameterAlias', 'FuzzedTensor']

_DISTRIBUTIONS = ('loguniform', 'uniform')


class FuzzedParameter:
    """A named value drawn from 'loguniform' or 'uniform' over [minval, maxval] (integers when both
    bounds are ints), or from a dict {choice: probability}. A strict one keeps its first draw while the
    Fuzzer redraws the others to meet the constraints."""

    def __init__(self, name, minval=None, maxval=None, distribution=None, strict=False):
        self._name = name
        self._minval = minval
        self._maxval = maxval
        self._distribution = self._check_distribution(distribution)
        self.strict = strict

    @property
    def name(self):
        return self._name

    def sample(self, state):
        if self._distribution == 'loguniform':
            return self._loguniform(state)
        if self._distribution == 'uniform':
            return self._uniform(state)
        if isinstance(self._distribution, dict):
            return self._custom_distribution(state)

    def _check_distribution(self, distribution):
        if not isinstance(distribution, dict):
            if distribution not in _DISTRIBUTIONS:
                raise AssertionError(f'Unknown distribution: {distribution}')
            return distribution
        if any(p < 0 for p in distribution.values()):
            raise AssertionError('Probabilities cannot be negative')
        # torch 2.13's test is inverted: it rejects a dict whose probabilities do sum to 1 (and so
        # every op fuzzer's constructor raises); kept, as the oracle does it
        if abs(sum(distribution.values()) - 1) <= 1e-5:
            raise AssertionError('Distribution is not normalized')
        if self._minval is not None:
            raise AssertionError("When passing a custom distribution, 'minval' must be None")
        if self._maxval is not None:
            raise AssertionError("When passing a custom distribution, 'maxval' must be None")
        return distribution

    def _loguniform(self, state):
        lo = np.log2(self._minval) if self._minval is not None else None
        hi = np.log2(self._maxval) if self._maxval is not None else None
        value = int(2 ** state.uniform(low=lo, high=hi))
        if self._minval is not None and value < self._minval:
            return self._minval
        if self._maxval is not None and value > self._maxval:
            return self._maxval
        return value

    def _uniform(self, state):
        if isinstance(self._minval, int) and isinstance(self._maxval, int):
            return int(state.randint(low=self._minval, high=self._maxval + 1))
        return state.uniform(low=self._minval, high=self._maxval)

    def _custom_distribution(self, state):
        choices = list(self._distribution)
        index = state.choice(np.arange(len(choices)), p=tuple(self._distribution.values()))
        return choices[index]


class ParameterAlias:
    """A parameter's value that is another parameter's (chains allowed, cycles not)."""

    def __init__(self, alias_to):
        self.alias_to = alias_to

    def __repr__(self):
        return f'ParameterAlias[alias_to: {self.alias_to}]'


def dtype_size(dtype):
    if dtype == torch.bool:
        return 1
    info = torch.finfo(dtype) if dtype.is_floating_point or dtype.is_complex else torch.iinfo(dtype)
    return int(info.bits / 8)


def prod(values, base=1):
    """In Python ints: np.prod could overflow into a negative size that passes the checks."""
    return functools.reduce(lambda x, y: int(x) * int(y), values, base)


class FuzzedTensor:
    """A tensor of the size `size` names (parameter names or ints), cut from a larger one by `steps`,
    made non-contiguous by a random permutation with probability 1 - probability_contiguous, and
    rejected (its parameters redrawn) outside min/max_elements and max_allocation_bytes."""

    def __init__(self, name, size, steps=None, probability_contiguous=0.5, min_elements=None, max_elements=None,
                 max_allocation_bytes=None, dim_parameter=None, roll_parameter=None, dtype=torch.float32, cuda=False,
                 tensor_constructor=None):
        self._name = name
        self._size = size
        self._steps = steps
        self._probability_contiguous = probability_contiguous
        self._min_elements = min_elements
        self._max_elements = max_elements
        self._max_allocation_bytes = max_allocation_bytes
        self._dim_parameter = dim_parameter
        self._dtype = dtype
        self._cuda = cuda
        self._tensor_constructor = tensor_constructor

    @property
    def name(self):
        return self._name

    @staticmethod
    def default_tensor_constructor(size, dtype, **kwargs):
        if dtype.is_floating_point or dtype.is_complex:
            return torch.rand(size=size, dtype=dtype, device='cpu')
        return torch.randint(1, 127, size=size, dtype=dtype, device='cpu')

    def _make_tensor(self, params, state):
        size, steps, allocation_size = self._get_size_and_steps(params)
        constructor = self._tensor_constructor or self.default_tensor_constructor
        raw = constructor(size=allocation_size, dtype=self._dtype, **params)
        if self._cuda:
            raw = raw.cuda()
        dim = len(size)
        order = np.arange(dim)
        if state.rand() > self._probability_contiguous:
            # a memory layout in another dimension order: contiguous in `order`, then viewed back
            while dim > 1 and np.all(order == np.arange(dim)):
                order = state.permutation(raw.dim())
            raw = raw.permute(tuple(order)).contiguous().permute(tuple(np.argsort(order)))
        tensor = raw[tuple(slice(0, n * step, step) for n, step in zip(size, steps))]
        properties = {'numel': int(tensor.numel()), 'order': order, 'steps': steps,
                      'is_contiguous': tensor.is_contiguous(), 'dtype': str(self._dtype)}
        return tensor, properties

    def _get_size_and_steps(self, params):
        dim = params[self._dim_parameter] if self._dim_parameter is not None else len(self._size)

        def resolve(values):
            values = tuple(params.get(v, v) for v in values)[:dim]
            return values + (1,) * (dim - len(values))
        size, steps = resolve(self._size), resolve(self._steps or ())
        return size, steps, tuple(n * s for n, s in zip(size, steps))

    def satisfies_constraints(self, params):
        size, _, allocation_size = self._get_size_and_steps(params)
        num_elements = prod(size)
        if num_elements < 0:
            raise AssertionError('Computed number of elements is negative')
        allocation_bytes = prod(allocation_size, base=dtype_size(self._dtype))

        def above(value, limit):
            return value is not None and limit is not None and value > limit
        return not (above(num_elements, self._max_elements) or above(self._min_elements, num_elements)
                    or above(allocation_bytes, self._max_allocation_bytes))


class Fuzzer:
    """take(n) yields n (tensors, tensor_properties, params) triples, each params a draw of
    `parameters` that passes `constraints` and every tensor's limits."""

    def __init__(self, parameters, tensors, constraints=None, seed=None):
        if seed is None:
            seed = int(np.random.RandomState().randint(0, 2 ** 32 - 1, dtype=np.int64))
        self._seed = seed
        self._parameters = Fuzzer._unpack(parameters, FuzzedParameter)
        self._tensors = Fuzzer._unpack(tensors, FuzzedTensor)
        self._constraints = constraints or ()
        overlap = {p.name for p in self._parameters} & {t.name for t in self._tensors}
        if overlap:
            raise ValueError(f'Duplicate names in parameters and tensors: {overlap}')
        self._rejections = 0
        self._total_generated = 0

    @staticmethod
    def _unpack(values, cls):
        return tuple(itertools.chain.from_iterable([v] if isinstance(v, cls) else v for v in values))

    def take(self, n):
        state = np.random.RandomState(self._seed)
        torch.manual_seed(state.randint(low=0, high=2 ** 63, dtype=np.int64))
        for _ in range(n):
            params = self._generate(state)
            tensors, properties = {}, {}
            for t in self._tensors:
                tensors[t.name], properties[t.name] = t._make_tensor(params, state)
            yield tensors, properties, params

    @property
    def rejection_rate(self):
        return self._rejections / self._total_generated if self._total_generated else 0.

    def _generate(self, state):
        strict = {}
        for _ in range(1000):
            candidate = {}
            for p in self._parameters:
                if p.strict and p.name in strict:
                    candidate[p.name] = strict[p.name]
                else:
                    candidate[p.name] = p.sample(state)
                    if p.strict:
                        strict[p.name] = candidate[p.name]
            candidate = self._resolve_aliases(candidate)
            self._total_generated += 1
            if all(f(candidate) for f in self._constraints) and \
                    all(t.satisfies_constraints(candidate) for t in self._tensors):
                return candidate
            self._rejections += 1
        raise ValueError('Failed to generate a set of valid parameters.')

    @staticmethod
    def _resolve_aliases(params):
        params = dict(params)
        pending = sum(isinstance(v, ParameterAlias) for v in params.values())
        while pending:
            for k, v in params.items():
                if isinstance(v, ParameterAlias):
                    params[k] = params[v.alias_to]
            now = sum(isinstance(v, ParameterAlias) for v in params.values())
            if now == pending:
                raise ValueError(f'ParameterAlias cycle detected\n{params}')
            pending = now
        return params
