"""Join: training with uneven inputs. Inside ``with Join([ddp, ...]):`` (or ``ddp.join()``) every
active rank announces itself with an all-reduce at each iteration; a rank whose inputs ran out
waits in __exit__, shadowing the active ranks' collectives (each joinable's main_hook) until all
have joined, then runs the post hooks (DDP copies the last joiner's model everywhere)."""
from collections import namedtuple

import faketorch as torch

from .. import distributed_c10d as dist

__all__ = ['JoinHook', 'Joinable', 'Join']

_JoinConfig = namedtuple('_JoinConfig', ['enable', 'throw_on_early_termination', 'is_first_joinable'])


class JoinHook:
    def main_hook(self):
        """Shadow one iteration of the active ranks' collectives."""

    def post_hook(self, is_last_joiner):
        """Run once every rank has joined."""


class Joinable:
    def __init__(self):
        self._join_config = _JoinConfig(False, False, False)

    def join_hook(self, **kwargs):
        raise NotImplementedError

    @property
    def join_device(self):
        raise NotImplementedError

    @property
    def join_process_group(self):
        raise NotImplementedError


class Join:
    def __init__(self, joinables, enable=True, throw_on_early_termination=False, **kwargs):
        if len(joinables) == 0:
            raise ValueError('The join context manager requires at least one joinable')
        if throw_on_early_termination:
            raise NotImplementedError('faketorch: Join(throw_on_early_termination=True) is not implemented')
        self._joinables = joinables
        self._join_hooks = [j.join_hook(**kwargs) for j in joinables]
        self._enable = enable
        for i, j in enumerate(joinables):
            j._join_config = _JoinConfig(enable, throw_on_early_termination, i == 0)
        self._device = joinables[0].join_device
        self._process_group = joinables[0].join_process_group

    def __enter__(self):
        pass

    def __exit__(self, type, value, traceback):
        if not self._enable or type:
            return
        is_last_joiner = True
        while self._nonjoined() != 0:
            for hook in self._join_hooks:
                hook.main_hook()
            is_last_joiner = False
        for hook in self._join_hooks:
            hook.post_hook(is_last_joiner)

    def _nonjoined(self):
        count = torch.zeros(1, device=self._device)
        dist.all_reduce(count, group=self._process_group)
        return count.item()

    @staticmethod
    def notify_join_context(joinable):
        """Called by an active rank's joinable before its collectives: the all-reduce a joined rank's
        count of active ranks matches. Returns its Work (None unless the first joinable)."""
        config = joinable._join_config
        if not config.is_first_joinable or not config.enable:
            return None
        ones = torch.ones(1, device=joinable.join_device)
        return dist.all_reduce(ones, group=joinable.join_process_group, async_op=True)
