"""The legacy names (torch.quantization, torch.nn.quantized, torch.nn.intrinsic, torch.nn.qat) are the
torch.ao modules under another name, submodules included, as in torch."""
import importlib
import sys


def alias(name, target, submodules=()):
    """Make module `name` (already executing) re-export `target` and answer `import name.sub`."""
    mod, tgt = sys.modules[name], importlib.import_module(target)
    for k, v in vars(tgt).items():
        if not k.startswith('__'):
            setattr(mod, k, v)
    mod.__all__ = list(getattr(tgt, '__all__', []))
    for sub in submodules:
        sys.modules[f'{name}.{sub}'] = importlib.import_module(f'{target}.{sub}')
        setattr(mod, sub.split('.')[0], importlib.import_module(f"{target}.{sub.split('.')[0]}"))
