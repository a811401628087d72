"""torch.distributed.checkpoint.default_planner: how a state dict becomes checkpoint items. Nested
dicts (and lists holding tensors or dicts) flatten into dotted keys ('model.0.weight', 'optim.state.0.exp_avg');
every other value is an object item, saved with torch.save."""
from collections.abc import Mapping

__all__ = ['DefaultSavePlanner', 'DefaultLoadPlanner', 'flatten_state_dict', 'set_element']


def _is_tensor(x):
    import faketorch
    return isinstance(x, faketorch.Tensor)


def _is_terminal(value):
    if isinstance(value, Mapping):
        return False
    if not isinstance(value, list):
        return True
    for entry in value:
        if isinstance(entry, (Mapping, list)) and not _is_terminal(entry):
            return False
        if _is_tensor(entry):
            return False
    return True


def flatten_state_dict(state_dict):
    """({dotted key: leaf}, {dotted key: its path of keys})."""
    flat, mappings = {}, {}

    def visit(path, value):
        if isinstance(value, Mapping):
            for k, v in value.items():
                visit(path + (str(k),), v)
        elif _is_terminal(value):
            key = '.'.join(map(str, path))
            if key in flat:
                raise ValueError(f'duplicated flatten key {key}')
            flat[key], mappings[key] = value, path
        else:
            for i, v in enumerate(value):
                visit(path + (i,), v)
    for k, v in state_dict.items():
        visit((str(k),), v)
    return flat, mappings


def set_element(root, path, value):
    """root[path[0]][path[1]]... = value; keys are matched as the target dict spells them."""
    cur = root
    for i, key in enumerate(path[:-1]):
        cur = cur[_key_in(cur, key)]
    cur[_key_in(cur, path[-1])] = value


def _key_in(container, key):
    if isinstance(container, list):
        return int(key)
    for k in container:
        if str(k) == str(key):
            return k
    return key


class DefaultSavePlanner:
    def __init__(self, flatten_state_dict=True, flatten_sharded_tensors=True, dedup_replicated_tensors=None,
                 dedup_save_to_lowest_rank=False, enable_plan_caching=False):
        self.flatten_state_dict = flatten_state_dict
        self.flatten_sharded_tensors = flatten_sharded_tensors


class DefaultLoadPlanner:
    def __init__(self, flatten_state_dict=True, flatten_sharded_tensors=True, allow_partial_load=False):
        self.flatten_state_dict = flatten_state_dict
        self.flatten_sharded_tensors = flatten_sharded_tensors
        self.allow_partial_load = allow_partial_load
