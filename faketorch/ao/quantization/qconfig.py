"""QConfig: which observer (or fake quantizer) watches a module's activations and which its weight."""
from collections import namedtuple

import faketorch as torch
from faketorch import nn

from .fake_quantize import (FakeQuantize, FakeQuantizeBase, FusedMovingAvgObsFakeQuantize, default_dynamic_fake_quant,
                            default_embedding_fake_quant, default_fake_quant, default_fused_act_fake_quant,
                            default_fused_per_channel_wt_fake_quant, default_fused_wt_fake_quant,
                            default_per_channel_weight_fake_quant, default_weight_fake_quant)
from .observer import (_torch_text, HistogramObserver, MinMaxObserver, MovingAverageMinMaxObserver, NoopObserver,
                       PlaceholderObserver, default_debug_observer, default_dynamic_quant_observer,
                       default_float_qparams_observer, default_observer, default_per_channel_weight_observer,
                       default_placeholder_observer, default_weight_observer,
                       per_channel_weight_observer_range_neg_127_to_127, weight_observer_range_neg_127_to_127)

__all__ = ['QConfig', 'QConfigDynamic', 'default_qconfig', 'default_debug_qconfig', 'default_per_channel_qconfig',
           'default_dynamic_qconfig', 'float16_dynamic_qconfig', 'float16_static_qconfig',
           'per_channel_dynamic_qconfig', 'float_qparams_weight_only_qconfig', 'default_quint8_weight_qconfig',
           'default_qat_qconfig', 'default_dynamic_qat_qconfig', 'default_weight_only_qconfig',
           'default_activation_only_qconfig', 'default_qat_qconfig_v2', 'default_symmetric_qnnpack_qconfig',
           'default_per_channel_symmetric_qnnpack_qconfig', 'default_embedding_qat_qconfig', 'get_default_qconfig',
           'get_default_qat_qconfig', 'get_default_qconfig_dict', 'get_default_qat_qconfig_dict', 'qconfig_equals']


class QConfig(namedtuple('QConfig', ['activation', 'weight'])):
    __slots__ = ()

    def __new__(cls, activation, weight):
        if isinstance(activation, nn.Module) or isinstance(weight, nn.Module):
            raise ValueError("QConfig received observer instance, please pass observer class instead. Use "
                             "MyObserver.with_args(x=1) to override arguments to constructor if needed")
        return super().__new__(cls, activation, weight)

    def __repr__(self):
        return _torch_text(super().__repr__())


class QConfigDynamic(namedtuple('QConfigDynamic', ['activation', 'weight'])):
    __slots__ = ()

    def __new__(cls, activation=nn.Identity, weight=nn.Identity):
        import warnings
        warnings.warn("`QConfigDynamic` is going to be deprecated in PyTorch 1.12, please use `QConfig` instead",
                      FutureWarning, stacklevel=2)
        if isinstance(weight, nn.Module):
            raise ValueError("QConfigDynamic received observer instance, please pass observer class instead. Use "
                             "MyObserver.with_args(x=1) to override arguments to constructor if needed")
        return super().__new__(cls, activation, weight)

    def __repr__(self):
        return _torch_text(super().__repr__())


default_qconfig = QConfig(activation=default_observer, weight=default_weight_observer)
default_debug_qconfig = QConfig(weight=default_weight_observer, activation=default_debug_observer)
default_per_channel_qconfig = QConfig(activation=default_observer, weight=default_per_channel_weight_observer)
default_dynamic_qconfig = QConfig(activation=default_dynamic_quant_observer, weight=default_weight_observer)
float16_dynamic_qconfig = QConfig(activation=PlaceholderObserver.with_args(dtype=torch.float16, is_dynamic=True),
                                  weight=PlaceholderObserver.with_args(dtype=torch.float16))
float16_static_qconfig = QConfig(activation=PlaceholderObserver.with_args(dtype=torch.float16),
                                 weight=PlaceholderObserver.with_args(dtype=torch.float16))
per_channel_dynamic_qconfig = QConfig(activation=default_dynamic_quant_observer,
                                      weight=default_per_channel_weight_observer)
float_qparams_weight_only_qconfig = QConfig(activation=default_placeholder_observer,
                                            weight=default_float_qparams_observer)
default_qat_qconfig = QConfig(activation=default_fake_quant, weight=default_weight_fake_quant)
default_dynamic_qat_qconfig = QConfig(activation=default_dynamic_fake_quant, weight=default_weight_fake_quant)
default_weight_only_qconfig = QConfig(activation=nn.Identity, weight=default_weight_fake_quant)
default_activation_only_qconfig = QConfig(activation=default_fake_quant, weight=nn.Identity)
default_qat_qconfig_v2 = QConfig(activation=default_fused_act_fake_quant, weight=default_fused_wt_fake_quant)
default_symmetric_qnnpack_qconfig = QConfig(
    activation=HistogramObserver.with_args(dtype=torch.qint8, reduce_range=False, eps=2 ** -12),
    weight=weight_observer_range_neg_127_to_127)
default_per_channel_symmetric_qnnpack_qconfig = QConfig(
    activation=HistogramObserver.with_args(dtype=torch.qint8, reduce_range=False, eps=2 ** -12),
    weight=per_channel_weight_observer_range_neg_127_to_127)
default_embedding_qat_qconfig = QConfig(activation=NoopObserver.with_args(dtype=torch.float32),
                                        weight=default_embedding_fake_quant)
default_quint8_weight_qconfig = QConfig(activation=HistogramObserver, weight=MinMaxObserver)

_BACKENDS = ['fbgemm', 'x86', 'qnnpack', 'onednn']


def _check_backend(backend):
    if backend not in _BACKENDS:
        raise AssertionError(f"backend: {backend} not supported. backend must be one of {_BACKENDS}")


def get_default_qconfig(backend='x86', version=0):
    _check_backend(backend)
    if version != 0:
        raise AssertionError(f"Version number: {version} in get_default_qconfig is not supported. Version number "
                             "must be 0")
    if backend == 'qnnpack':
        return QConfig(activation=HistogramObserver.with_args(reduce_range=False), weight=default_weight_observer)
    # fbgemm and x86 keep activations to 7 bits (their int8 kernels can overflow on 8); onednn does not
    return QConfig(activation=HistogramObserver.with_args(reduce_range=backend != 'onednn'),
                   weight=default_per_channel_weight_observer)


def get_default_qat_qconfig(backend='x86', version=1):
    _check_backend(backend)
    reduce = {'reduce_range': backend in ('fbgemm', 'x86')} if backend != 'onednn' else {}
    if version == 0:
        act = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255, **reduce)
        weight = default_weight_fake_quant if backend == 'qnnpack' else default_per_channel_weight_fake_quant
    elif version == 1:
        act = FusedMovingAvgObsFakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0,
                                                      quant_max=255, **reduce)
        weight = default_fused_wt_fake_quant if backend == 'qnnpack' else default_fused_per_channel_wt_fake_quant
    else:
        raise AssertionError(f"Version number: {version}in get_default_qat_qconfig is not supported. Version number "
                             "must be 0 or 1")
    return QConfig(activation=act, weight=weight)


def get_default_qconfig_dict(backend='x86', version=0):
    return {'': get_default_qconfig(backend, version)}


def get_default_qat_qconfig_dict(backend='x86', version=1):
    return {'': get_default_qat_qconfig(backend, version)}


def _obs_equals(a, b):
    if hasattr(a, 'p') and hasattr(b, 'p'):
        return a.p.func == b.p.func and a.p.args == b.p.args and a.p.keywords == b.p.keywords
    return a == b


def qconfig_equals(q1, q2):
    if q1 is None or q2 is None:
        return q1 == q2
    try:
        return _obs_equals(q1.activation, q2.activation) and _obs_equals(q1.weight, q2.weight)
    except AttributeError:
        return q1 == q2


def _add_module_to_qconfig_obs_ctr(qconfig, module):
    """qconfig with constructors that build the observers on the module's device (what prepare attaches
    to each module; its repr shows the factory_kwargs callable, as torch's)."""
    if module is None or qconfig is None or qconfig._fields != ('activation', 'weight'):
        return qconfig

    def get_factory_kwargs_based_on_module_device():
        devices = {p.device for p in module.parameters()} | {b.device for b in module.buffers()}
        return None if not devices else {'device': next(iter(devices))}

    def configure(ctor):
        try:
            ctor.with_args(factory_kwargs=None)()       # does it take factory_kwargs at all?
            return ctor.with_callable_args(factory_kwargs=get_factory_kwargs_based_on_module_device)
        except (AttributeError, TypeError):
            return ctor

    return QConfig(configure(qconfig.activation), configure(qconfig.weight))


def _activation_is_memoryless(qconfig):
    act = qconfig.activation()
    if isinstance(act, FakeQuantizeBase) and hasattr(act, 'activation_post_process'):
        act = act.activation_post_process
    return getattr(act, 'averaging_constant', None) == 1
