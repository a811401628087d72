"""DistributedOptimizer: each worker that owns some of the parameters builds the optimizer over
them (through RPC) and steps it with the gradients its distributed autograd context holds."""
import logging
from collections import defaultdict
from threading import Lock

from ... import optim
from .. import autograd as dist_autograd
from .. import rpc

__all__ = ['DistributedOptimizer']

logger = logging.getLogger(__name__)

# the optimizers torch runs as TorchScript functional optimizers: they take the gradients as an
# argument, so the parameters' .grad is left as it was
_FUNCTIONAL = (optim.Adagrad, optim.Adam, optim.AdamW, optim.SGD, optim.Adadelta, optim.RMSprop, optim.Rprop,
               optim.Adamax)


class _LocalOptimizer:
    global_lock = Lock()

    def __init__(self, optim_cls, local_params_rref, functional, *args, **kwargs):
        self._local_params = [rref.local_value() for rref in local_params_rref]
        self.optim = optim_cls(self._local_params, *args, **kwargs)
        self.functional = functional

    def step(self, autograd_ctx_id):
        all_local_grads = dist_autograd.get_gradients(autograd_ctx_id)
        with _LocalOptimizer.global_lock:
            if not self.functional:
                for param, grad in all_local_grads.items():
                    param.grad = grad
                self.optim.step()
                return
            kept = [p.grad for p in self._local_params]
            for p in self._local_params:
                p.grad = all_local_grads.get(p)
            try:
                self.optim.step()
            finally:
                for p, g in zip(self._local_params, kept):
                    p.grad = g


def _new_local_optimizer(optim_cls, local_params_rref, functional, *args, **kwargs):
    return rpc.RRef(_LocalOptimizer(optim_cls, local_params_rref, functional, *args, **kwargs))


def _local_optimizer_step(local_optim_rref, autograd_ctx_id):
    local_optim_rref.local_value().step(autograd_ctx_id)


def _wait_for_all(rpc_futs):
    exception = None
    results = []
    for fut in rpc_futs:
        try:
            results.append(fut.wait())
        except Exception as e:
            results.append(e)
            exception = e
    if exception is not None:
        raise exception
    return results


class DistributedOptimizer:
    """Takes RRefs to (local or remote) parameters; step(context_id) steps every owner's optimizer."""

    def __init__(self, optimizer_class, params_rref, *args, **kwargs):
        per_worker_params_rref = defaultdict(list)
        for param in params_rref:
            per_worker_params_rref[param.owner()].append(param)
        self.is_functional_optim = optimizer_class in _FUNCTIONAL
        if not self.is_functional_optim:
            logger.warning("Creating the optimizer %s without TorchScript support, this might result in slow "
                           "computation time in multithreading environment(i.e. Distributed Model Parallel "
                           "training on CPU) due to the Python's Global Interpreter Lock (GIL). Please file an "
                           "issue if you need this optimizer in TorchScript. ", optimizer_class)
        futs = [rpc.rpc_async(worker, _new_local_optimizer,
                              args=(optimizer_class, param_rrefs, self.is_functional_optim) + args, kwargs=kwargs)
                for worker, param_rrefs in per_worker_params_rref.items()]
        self.remote_optimizers = _wait_for_all(futs)

    def step(self, context_id):
        dist_autograd._is_valid_context(context_id)
        _wait_for_all([rpc.rpc_async(o.owner(), _local_optimizer_step, args=(o, context_id))
                       for o in self.remote_optimizers])
