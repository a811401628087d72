"""AdaptiveLogSoftmaxWithLoss (Grave et al.): a head over frequent classes plus projected tail clusters."""
from collections import namedtuple

from ... import _xnp as np

from ..._tensor import _make
from ... import _dtype as D
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module
from ..._tensor import Tensor

__all__ = ['AdaptiveLogSoftmaxWithLoss']

_ASMoutput = namedtuple('_ASMoutput', ['output', 'loss'])


class AdaptiveLogSoftmaxWithLoss(Module):
    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError('cutoffs should be a sequence of length larger than 0')
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError('cutoffs should be a sequence of unique, positive integers sorted in an increasing '
                             'order, where each value is between 1 and n_classes-1')
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        kw = {'device': device, 'dtype': dtype}
        self.head = Linear(in_features, self.head_size, bias=head_bias, **kw)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, **kw),
                                        Linear(hsz, osz, bias=False, **kw)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_: Tensor, target_: Tensor):
        td = target_.dim()
        if td == 1:
            if input_.size(0) != target_.size(0):
                raise RuntimeError('Input and target should have the same size in the batch dimension.')
            if input_.dim() != 2:
                raise RuntimeError('1D target tensor expects 2D input tensors, but found inputs with size',
                                   input_.size())
        elif td == 0:
            if input_.dim() != 1:
                raise RuntimeError('0D target tensor expects 1D input tensors, but found inputs with size',
                                   input_.size())
        else:
            raise RuntimeError('0D or 1D target tensor expected, multi-target not supported')
        batched = td > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = target_ if batched else target_.unsqueeze(0)
        t = target._data
        n = t.shape[0]
        gather = np.zeros(n, np.int64, like=t)
        output = None
        used = 0
        bounds = [0] + self.cutoffs
        for i in range(len(bounds) - 1):
            lo, hi = bounds[i], bounds[i + 1]
            rows = np.nonzero((t >= lo) & (t < hi))[0]
            if rows.size == 0:
                continue
            if i == 0:
                gather[rows] = t[rows]
            else:
                gather[rows] = self.shortlist_size + i - 1
                ridx = _make(rows, D.int64, input._device)
                sub = input[ridx]
                logp = F.log_softmax(self.tail[i - 1](sub), dim=1)
                rel = _make((t[rows] - lo)[:, None], D.int64, input._device)
                local = logp.gather(1, rel).squeeze(1)
                # place this cluster's rows into a length-n vector (zeros elsewhere)
                sel = np.zeros((n, rows.size), input._data.dtype, like=input._data)
                sel[rows, np.arange(rows.size, like=input._data)] = 1
                part = _make(sel, input.dtype, input._device).matmul(local)
                output = part if output is None else output + part
            used += rows.size
        if used != n:
            raise RuntimeError(f'Target values should be in [0, {self.n_classes - 1}], but values in range '
                               f'[{t.min()}, {t.max()}] were found. ')
        head_logp = F.log_softmax(self.head(input), dim=1)
        picked = head_logp.gather(1, _make(gather[:, None], D.int64, input._device)).squeeze()
        output = picked if output is None else output + picked
        loss = (-output).mean()
        if not batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def _get_full_log_prob(self, input, head_output):
        out = input.new_empty((head_output.size(0), self.n_classes))
        head_logp = F.log_softmax(head_output, dim=1)
        out[:, :self.shortlist_size] = head_logp[:, :self.shortlist_size]
        for i, (start, stop) in enumerate(zip(self.cutoffs, self.cutoffs[1:])):
            cl = F.log_softmax(self.tail[i](input), dim=1)
            out[:, start:stop] = cl + head_logp[:, self.shortlist_size + i].unsqueeze(1)
        return out

    def log_prob(self, input):
        batched = input.dim() > 1
        x = input if batched else input.unsqueeze(0)
        out = self._get_full_log_prob(x, self.head(x))
        return out if batched else out.squeeze(0)

    def predict(self, input):
        return self.log_prob(input).argmax(dim=-1)
