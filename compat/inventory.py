"""API-surface inventory: how much of real torch's public surface faketorch has.

Needs real torch and faketorch importable in the same process. Real torch is
imported inside `inventory()` only, so importing this module never does.
"""
import importlib
import json
import os
from pathlib import Path

NAMESPACES = [
    "torch", "torch.Tensor", "torch.nn", "torch.nn.functional", "torch.nn.init",
    "torch.optim", "torch.optim.lr_scheduler", "torch.utils.data",
    "torch.autograd", "torch.linalg", "torch.fft", "torch.special",
    "torch.cuda", "torch.distributions",
]
# api-tiers.json keeps Tensor names (unqualified) under these two sections.
_TENSOR_SECTIONS = ["Tensor.methods", "Tensor.properties"]

_REPO = Path(__file__).resolve().parent.parent


def tiers_path():
    """api-tiers.json: $FAKETORCH_SHARED, else ../shared beside the repo, else /work/shared."""
    candidates = [os.environ.get("FAKETORCH_SHARED"), _REPO.parent / "shared", "/work/shared"]
    for d in candidates:
        if d and (Path(d) / "api-tiers.json").is_file():
            return Path(d) / "api-tiers.json"
    raise FileNotFoundError("api-tiers.json not found (set FAKETORCH_SHARED to its folder)")


def _resolve(root, dotted):
    """Object at `root.dotted` (e.g. 'nn.utils.rnn.pad_sequence'), importing
    submodules on the way as an attribute access after `import` would; None if absent."""
    obj, modname = importlib.import_module(root), root
    for part in dotted.split(".") if dotted else []:
        modname += "." + part
        try:
            obj = getattr(obj, part)
            continue
        except Exception:   # a half-written faketorch may raise anything
            pass
        try:
            obj = importlib.import_module(modname)
        except Exception:
            return None
    return obj


def _has(obj, name):
    try:
        getattr(obj, name)
        return True
    except Exception:
        return False


def _tier_names(tiers, ns, tier):
    if ns == "torch.Tensor":
        return [n for sec in _TENSOR_SECTIONS for n in tiers.get(sec, {}).get(tier, [])]
    return tiers.get(ns, {}).get(tier, [])


def _provided(ns, name):
    """Does faketorch have the tier name `name` of namespace `ns`?"""
    if ns == "torch.Tensor":       # names are bare attribute names
        cls = _resolve("faketorch", "Tensor")
        return cls is not None and _has(cls, name)
    return _resolve("faketorch", name[len("torch."):]) is not None


def inventory():
    """namespace -> {'torch': n, 'faketorch': n, 'tier1': (have, total),
    'tier2': (have, total), 'missing_tier1': [...], 'missing_tier2': [...]}.

    'torch' counts the public names of dir(real namespace); 'faketorch' counts
    how many of those the corresponding faketorch object has (0 when faketorch
    has no such namespace yet). Missing lists keep api-tiers.json's order (most
    used first)."""
    import torch  # noqa: F401  (the oracle; a tool may import it)

    tiers = json.loads(tiers_path().read_text())
    result = {}
    for ns in NAMESPACES:
        rest = ns[len("torch."):] if ns != "torch" else ""
        real, fake = _resolve("torch", rest), _resolve("faketorch", rest)
        public = [n for n in dir(real) if not n.startswith("_")] if real is not None else []
        entry = {"torch": len(public),
                 "faketorch": sum(_has(fake, n) for n in public) if fake is not None else 0}
        missing = {}
        for tier in ("tier1", "tier2"):
            names = _tier_names(tiers, ns, tier)
            missing[tier] = [n for n in names if not _provided(ns, n)]
            entry[tier] = (len(names) - len(missing[tier]), len(names))
        entry.update(missing_tier1=missing["tier1"], missing_tier2=missing["tier2"])
        result[ns] = entry
    return result


def format_table(inv):
    """Plain-text table of `inventory()`, then the missing tier-1 names."""
    head = f"{'namespace':26} {'torch':>6} {'faketorch':>9} {'tier1':>9} {'tier2':>9}"
    lines = [head, "-" * len(head)]
    for ns, e in inv.items():
        t1, t2 = ("%d/%d" % e[t] for t in ("tier1", "tier2"))
        lines.append(f"{ns:26} {e['torch']:6} {e['faketorch']:9} {t1:>9} {t2:>9}")
    missing = [(ns, e["missing_tier1"]) for ns, e in inv.items() if e["missing_tier1"]]
    if missing:
        lines += ["", "missing tier-1 names:"]
        lines += [f"  {ns}: {', '.join(names)}" for ns, names in missing]
    return "\n".join(lines)
