"""Differentiable collectives (deprecated in torch 2.13 in favour of _functional_collectives, and
warned about the same way). Each returns new tensors; the backward pass runs the adjoint
collective: all_gather's sums every rank's gradient for this rank's piece (gloo: through
all_to_all, then a sum over the stacked pieces), all_reduce's all-reduces the gradient,
broadcast's reduces the gradients onto the source."""
import warnings

import faketorch as torch
from faketorch.autograd import Function

from .. import distributed_c10d as dist
from ..distributed_c10d import ReduceOp, group

__all__ = ['broadcast', 'all_gather', 'all_reduce']


def _deprecated(name, suggestion):
    warnings.warn(f'torch.distributed.nn.functional.{name} is deprecated, use {suggestion} instead.',
                  FutureWarning, stacklevel=3)


def broadcast(tensor, src, group=group.WORLD):
    _deprecated('broadcast', 'torch.distributed._functional_collectives.broadcast')
    return _Broadcast.apply(src, group, tensor)


def all_gather(tensor, group=group.WORLD):
    _deprecated('all_gather', 'torch.distributed._functional_collectives.all_gather_single')
    return _AllGather.apply(group, tensor)


def all_reduce(tensor, op=ReduceOp.SUM, group=group.WORLD):
    _deprecated('all_reduce', 'torch.distributed._functional_collectives.all_reduce')
    return _AllReduce.apply(op, group, tensor)


class _Broadcast(Function):
    @staticmethod
    def forward(ctx, src, group, tensor):
        ctx.src, ctx.group, ctx.rank = src, group, dist.get_rank(group=group)
        out = tensor.clone()
        dist.broadcast(out, src, group=group)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        gx = _Reduce.apply(ctx.src, ReduceOp.SUM, ctx.group, grad_output)
        if ctx.src != ctx.rank:
            gx.zero_()
        return None, None, gx


class _Reduce(Function):
    @staticmethod
    def forward(ctx, dst, op, group, tensor):
        ctx.dst, ctx.group = dst, group
        out = tensor.clone()
        dist.reduce(out, dst, op=op, group=group)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        return (None, None, None) + (_Broadcast.apply(ctx.dst, ctx.group, grad_output),)


class _AllGather(Function):
    @staticmethod
    def forward(ctx, group, tensor):
        tensor = tensor.contiguous()
        ctx.group = group
        out = [torch.empty_like(tensor) for _ in range(dist.get_world_size(group=group))]
        dist.all_gather(out, tensor, group=group)
        return tuple(out)

    @staticmethod
    def backward(ctx, *grad_outputs):
        pieces = _AlltoAll.apply(ctx.group, [torch.empty_like(g) for g in grad_outputs], *grad_outputs)
        return None, torch.sum(torch.stack(pieces), dim=0)


class _AlltoAll(Function):
    @staticmethod
    def forward(ctx, group, out_tensor_list, *tensors):
        ctx.group = group
        ctx.sizes = [t.size() for t in tensors]
        dist.all_to_all(out_tensor_list, [t.contiguous() for t in tensors], group=group)
        return tuple(out_tensor_list)

    @staticmethod
    def backward(ctx, *grad_outputs):
        back = [torch.empty(s, device=grad_outputs[0].device, dtype=grad_outputs[0].dtype) for s in ctx.sizes]
        return (None, None) + _AlltoAll.apply(ctx.group, back, *grad_outputs)


class _AllReduce(Function):
    @staticmethod
    def forward(ctx, op, group, tensor):
        ctx.op, ctx.group = op, group
        out = tensor.clone()
        dist.all_reduce(out, op=op, group=group)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        return None, None, _AllReduce.apply(ctx.op, ctx.group, grad_output)
