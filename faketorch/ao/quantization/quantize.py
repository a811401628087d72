"""Eager-mode quantization: prepare (attach observers), convert (swap in quantized modules), their QAT and
dynamic variants, as torch does them module by module."""
import copy
import functools
import itertools
import warnings

import faketorch as torch
from faketorch import nn

from ..nn.intrinsic import _FusedModule
from ..nn.quantized import modules as nnq
from .observer import _is_activation_post_process
from .qconfig import (_activation_is_memoryless, _add_module_to_qconfig_obs_ctr, default_dynamic_qconfig,
                      float16_dynamic_qconfig, float_qparams_weight_only_qconfig)
from .quantization_mappings import (_get_special_act_post_process, _has_special_act_post_process,
                                    get_default_dynamic_quant_module_mappings, get_default_qat_module_mappings,
                                    get_default_qconfig_propagation_list, get_default_static_quant_module_mappings)
from .stubs import DeQuantStub, QuantWrapper

__all__ = ['propagate_qconfig_', 'add_quant_dequant', 'prepare', 'quantize', 'quantize_dynamic', 'prepare_qat',
           'quantize_qat', 'convert', 'swap_module']


_DEPRECATION = (
    "torch.ao.quantization is deprecated and will be removed in 2.10. \n"
    "For migrations of users: \n"
    "1. Eager mode quantization (torch.ao.quantization.quantize, "
    "torch.ao.quantization.quantize_dynamic), please migrate to use torchao eager mode "
    "quantize_ API instead \n"
    "2. FX graph mode quantization (torch.ao.quantization.quantize_fx.prepare_fx,"
    "torch.ao.quantization.quantize_fx.convert_fx, please migrate to use torchao pt2e quantization "
    "API instead (prepare_pt2e, convert_pt2e) \n"
    "3. pt2e quantization has been migrated to torchao (https://github.com/pytorch/ao/tree/main/torchao/quantization/pt2e) \n"
    "see https://github.com/pytorch/ao/issues/2259 for more details"
)


def _deprecated(fn):
    """torch marks the eager-mode entry points deprecated: a DeprecationWarning at every call, the caller's line."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        warnings.warn(_DEPRECATION, DeprecationWarning, stacklevel=2)
        return fn(*args, **kwargs)
    wrapper.__deprecated__ = _DEPRECATION
    return wrapper


def _propagate_qconfig_helper(module, qconfig_dict, qconfig_parent=None, prefix=''):
    qconfig = qconfig_dict.get(type(module), qconfig_parent)
    qconfig = qconfig_dict.get(prefix, qconfig)
    qconfig = _add_module_to_qconfig_obs_ctr(getattr(module, 'qconfig', qconfig), module)
    module.qconfig = qconfig
    for name, child in module.named_children():
        _propagate_qconfig_helper(child, qconfig_dict, qconfig, prefix + '.' + name if prefix else name)


def propagate_qconfig_(module, qconfig_dict=None, prepare_custom_config_dict=None):
    """Give every submodule a `qconfig`: its own, else the one qconfig_dict names for its type or its name,
    else its parent's."""
    _propagate_qconfig_helper(module, qconfig_dict or {})


def _observer_forward_hook(self, input, output):
    return self.activation_post_process(output)


def _observer_forward_pre_hook(self, input):
    return self.activation_post_process(input[0])


def _has_no_children(module):
    if 'parametrizations' in module._modules:
        return len(module._modules) == 1
    return len(module._modules) == 0


def _add_observer_(module, qconfig_propagation_list=None, non_leaf_module_list=None):
    if qconfig_propagation_list is None:
        qconfig_propagation_list = get_default_qconfig_propagation_list()

    def needs_observation(m):
        return hasattr(m, 'qconfig') and m.qconfig is not None

    def insert(m, special=None):
        if needs_observation(m) and not isinstance(m, DeQuantStub):
            m.add_module('activation_post_process', m.qconfig.activation() if special is None else special())
            if _activation_is_memoryless(m.qconfig):
                m.register_forward_pre_hook(_observer_forward_pre_hook, prepend=True)
            else:
                m.register_forward_hook(_observer_forward_hook, prepend=True)

    for name, child in module.named_children():
        if type(child) is nn.Dropout:
            continue
        if issubclass(type(child), (nnq.FloatFunctional, nnq.QFunctional)):
            if needs_observation(child):
                child.activation_post_process = child.qconfig.activation()
        elif isinstance(child, _FusedModule) or non_leaf_module_list is not None and \
                type(child) in non_leaf_module_list:
            if needs_observation(child):
                insert(child)
        elif _has_special_act_post_process(child):
            insert(child, _get_special_act_post_process(child))
        else:
            _add_observer_(child, qconfig_propagation_list, non_leaf_module_list)
    in_list = not isinstance(module, nn.Sequential) and type(module) in qconfig_propagation_list
    if in_list and (_has_no_children(module) or hasattr(module, 'weight_fake_quant')):
        insert(module)


def add_quant_dequant(module):
    if _has_no_children(module) and getattr(module, 'qconfig', None):
        return QuantWrapper(module)
    for name, child in module.named_children():
        module._modules[name] = add_quant_dequant(child)
    return module


@_deprecated
def prepare(model, inplace=False, allow_list=None, observer_non_leaf_module_list=None,
            prepare_custom_config_dict=None):
    if not inplace:
        model = copy.deepcopy(model)
    propagate_qconfig_(model)
    if not any(getattr(m, 'qconfig', None) for m in model.modules()):
        warnings.warn("None of the submodule got qconfig applied. Make sure you passed correct configuration "
                      "through `qconfig_dict` or by assigning the `.qconfig` attribute directly on submodules",
                      stacklevel=2)
    _add_observer_(model, allow_list or get_default_qconfig_propagation_list(), observer_non_leaf_module_list)
    return model


def _remove_activation_post_process(module):
    if hasattr(module, 'activation_post_process') and _is_activation_post_process(module.activation_post_process):
        delattr(module, 'activation_post_process')
    for hooks, fn in ((module._forward_pre_hooks, _observer_forward_pre_hook),
                      (module._forward_hooks, _observer_forward_hook)):
        for handle_id in [k for k, v in hooks.items() if v is fn]:
            hooks.pop(handle_id)


def _remove_qconfig(module):
    for child in module.children():
        _remove_qconfig(child)
    if hasattr(module, 'qconfig'):
        del module.qconfig
    _remove_activation_post_process(module)


@_deprecated
def quantize(model, run_fn, run_args, mapping=None, inplace=False):
    if not inplace:
        model = copy.deepcopy(model)
    model.eval()
    prepare(model, inplace=True)
    run_fn(model, *run_args)
    convert(model, mapping or get_default_static_quant_module_mappings(), inplace=True)
    return model


_DYNAMIC_TYPES = ('Linear', 'LSTM', 'GRU', 'LSTMCell', 'RNNCell', 'GRUCell')


@_deprecated
def quantize_dynamic(model, qconfig_spec=None, dtype=torch.qint8, mapping=None, inplace=False):
    if qconfig_spec is None:
        if dtype is torch.qint8:
            qconfig_spec = {getattr(nn, n): default_dynamic_qconfig for n in _DYNAMIC_TYPES}
        elif dtype is torch.float16:
            qconfig_spec = {getattr(nn, n): float16_dynamic_qconfig for n in _DYNAMIC_TYPES}
        elif dtype is torch.quint8:
            qconfig_spec = {nn.EmbeddingBag: float_qparams_weight_only_qconfig,
                            nn.Embedding: float_qparams_weight_only_qconfig}
        else:
            raise ValueError(f"Don't know how to quantize with default settings for {dtype}. Provide full qconfig "
                             "please")
    elif isinstance(qconfig_spec, set):
        default = {torch.qint8: default_dynamic_qconfig, torch.float16: float16_dynamic_qconfig,
                   torch.quint8: float_qparams_weight_only_qconfig}.get(dtype)
        if default is None:
            raise RuntimeError("Unknown dtype specified for quantize_dynamic: ", str(dtype))
        qconfig_spec = dict(zip(qconfig_spec, itertools.repeat(default)))
    if dtype not in (torch.qint8, torch.float16):
        raise NotImplementedError(f"faketorch's quantize_dynamic supports torch.qint8 and torch.float16 (Linear), "
                                  f"got {dtype}")
    if not inplace:
        model = copy.deepcopy(model)
    model.eval()
    propagate_qconfig_(model, qconfig_spec)
    convert(model, mapping or get_default_dynamic_quant_module_mappings(), inplace=True)
    return model


@_deprecated
def prepare_qat(model, mapping=None, inplace=False):
    if not model.training:
        raise AssertionError("prepare_qat only works on models in training mode")
    mapping = mapping or get_default_qat_module_mappings()
    if not inplace:
        model = copy.deepcopy(model)
    propagate_qconfig_(model)
    convert(model, mapping=mapping, inplace=True, remove_qconfig=False)
    prepare(model, observer_non_leaf_module_list=set(mapping.values()), inplace=True)
    return model


@_deprecated
def quantize_qat(model, run_fn, run_args, inplace=False):
    if not inplace:
        model = copy.deepcopy(model)
    model.train()
    prepare_qat(model, inplace=True)
    run_fn(model, *run_args)
    convert(model, inplace=True)
    return model


@_deprecated
def convert(module, mapping=None, inplace=False, remove_qconfig=True, is_reference=False,
            convert_custom_config_dict=None, use_precomputed_fake_quant=False):
    if is_reference:
        raise NotImplementedError("faketorch has no reference quantized modules (is_reference=True)")
    if not inplace:
        module = copy.deepcopy(module)
    _convert(module, mapping, inplace=True, use_precomputed_fake_quant=use_precomputed_fake_quant)
    if remove_qconfig:
        _remove_qconfig(module)
    return module


def _convert(module, mapping=None, inplace=False, is_reference=False, convert_custom_config_dict=None,
             use_precomputed_fake_quant=False):
    mapping = get_default_static_quant_module_mappings() if mapping is None else mapping
    if not inplace:
        module = copy.deepcopy(module)
    reassign = {}
    for name, mod in module.named_children():
        if not isinstance(mod, _FusedModule):       # a fused module is swapped whole
            _convert(mod, mapping, True, use_precomputed_fake_quant=use_precomputed_fake_quant)
        reassign[name] = swap_module(mod, mapping, {}, use_precomputed_fake_quant)
    for key, value in reassign.items():
        module._modules[key] = value
    return module


def swap_module(mod, mapping, custom_module_class_mapping=None, use_precomputed_fake_quant=False):
    """mod's quantized counterpart (from mapping) made by its from_float, hooks carried over; mod itself
    when it has no qconfig or no counterpart."""
    if getattr(mod, 'qconfig', None) is None or type(mod) not in mapping:
        return mod
    qmod = mapping[type(mod)]
    new = qmod.from_float(mod, use_precomputed_fake_quant=use_precomputed_fake_quant)
    for hook in mod._forward_pre_hooks.values():
        new.register_forward_pre_hook(hook)
    for hook in mod._forward_hooks.values():
        if hook is not _observer_forward_hook:
            new.register_forward_hook(hook)
    return new
