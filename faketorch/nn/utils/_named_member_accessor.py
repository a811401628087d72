"""Reading and swapping a module's tensors by dotted name (torch.nn.utils._named_member_accessor), as
functional_call uses it: parameters and buffers are swapped in their tables, anything else by setattr (so a
parametrized tensor goes through its right_inverse, as in torch)."""
from ..._tensor import Tensor

_MISSING = object()


def _check_module(module):
    from ..modules.module import Module
    if not isinstance(module, Module):
        raise TypeError(f'{module} is not an instance of torch.nn.Module')


def _check_name(name):
    if '.' in name:
        raise KeyError('tensor name can\'t contain "."')
    if name == '':
        raise KeyError('tensor name can\'t be empty string ""')


def swap_tensor(module, name, tensor, allow_missing=False):
    """Put tensor (or _MISSING: remove) at module.<name>; returns what was there."""
    _check_module(module)
    if tensor is not _MISSING and not isinstance(tensor, Tensor) and tensor is not None:
        raise TypeError(f'{tensor} is not an instance of torch.Tensor')
    _check_name(name)
    for table in (module._parameters, module._buffers):
        if name in table:
            orig = table[name]
            if tensor is not _MISSING:
                table[name] = tensor
            else:
                del table[name]
            return orig
    if hasattr(module, name):
        orig = getattr(module, name)
    elif not allow_missing:
        raise AttributeError(f'{module._get_name()} has no attribute `{name}`')
    else:
        orig = _MISSING
    if orig is not _MISSING and not isinstance(orig, Tensor) and orig is not None:
        raise TypeError(f'attribute `{name}`: {orig} is not an instance of torch.Tensor')
    if tensor is not _MISSING:
        setattr(module, name, tensor)
    elif hasattr(module, name):
        delattr(module, name)
    return orig


class NamedMemberAccessor:
    def __init__(self, module):
        self.module = module
        self.memo = {}

    def get_submodule(self, name):
        from ..modules.module import Module
        if not name:
            return self.module
        if name not in self.memo:
            prefix, dot, attr = name.rpartition('.')
            module = self.get_submodule(prefix) if dot else self.module
            try:
                submodule = getattr(module, attr)
            except AttributeError as ex:
                raise AttributeError(f'{module._get_name()} has no attribute `{attr}`') from ex
            if not isinstance(submodule, Module):
                raise TypeError(f'submodule `{name}`: {submodule} is not an instance of torch.nn.Module')
            self.memo[name] = submodule
        return self.memo[name]

    def swap_tensor(self, name, value, allow_missing=False):
        prefix, _, attr = name.rpartition('.')
        return swap_tensor(self.get_submodule(prefix), attr, value, allow_missing=allow_missing)

    def swap_tensors_dict(self, named_tensors, allow_missing=False):
        """Swap every name in; on an error put back what was swapped. Returns the originals and missing names."""
        orig, missing = {}, []
        try:
            for name, tensor in named_tensors.items():
                old = self.swap_tensor(name, tensor, allow_missing=True)
                if old is _MISSING:
                    missing.append(name)
                orig[name] = old
        except Exception:
            for name, old in orig.items():
                self.swap_tensor(name, old, allow_missing=True)
            raise
        if missing and not allow_missing:
            for name, old in orig.items():
                self.swap_tensor(name, old, allow_missing=True)
            raise RuntimeError(f"Missing key(s): {', '.join(map(repr, missing))}.")
        return orig, missing

    def named_tensors(self, remove_duplicate=True):
        yield from self.module.named_parameters(remove_duplicate=remove_duplicate)
        yield from self.module.named_buffers(remove_duplicate=remove_duplicate)

    def check_keys(self, keys):
        """(missing, unexpected) names, each sorted."""
        keys = set(keys)
        valid = {name for name, _ in self.named_tensors(remove_duplicate=False)}
        return sorted(valid - keys), sorted(keys - valid)
