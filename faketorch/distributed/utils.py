"""torch.distributed.utils: the state_dict key helpers the wrappers share."""


def _replace_by_prefix(state_dict, old_prefix, new_prefix):
    """Renames, in place and in order, the keys of state_dict that start with old_prefix."""
    if old_prefix == new_prefix:
        raise ValueError('old_prefix and new_prefix must be distinct')
    for key in list(state_dict.keys()):
        if key.startswith(old_prefix):
            state_dict[new_prefix + key[len(old_prefix):]] = state_dict.pop(key)
