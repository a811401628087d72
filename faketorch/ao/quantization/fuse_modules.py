"""fuse_modules / fuse_modules_qat: replace [conv, bn, relu], [linear, relu] ... by one fused module (the
others become Identity). In eval mode a batch norm is folded into the conv or linear weights; for QAT the
fused module keeps it (nni.ConvBn2d ...)."""
import copy

from faketorch import nn
from faketorch.nn.utils.fusion import fuse_conv_bn_eval, fuse_linear_bn_eval

from ..nn import intrinsic as nni
from .observer import _torch_text

__all__ = ['fuse_known_modules', 'fuse_modules', 'fuse_modules_qat', 'fuse_conv_bn', 'fuse_conv_bn_relu',
           'fuse_linear_bn', 'get_fuser_method']

_CONV_BN = {nn.Conv1d: nni.ConvBn1d, nn.Conv2d: nni.ConvBn2d, nn.Conv3d: nni.ConvBn3d}
_CONV_BN_RELU = {nn.Conv1d: nni.ConvBnReLU1d, nn.Conv2d: nni.ConvBnReLU2d, nn.Conv3d: nni.ConvBnReLU3d}
_CONV_RELU = {nn.Conv1d: nni.ConvReLU1d, nn.Conv2d: nni.ConvReLU2d, nn.Conv3d: nni.ConvReLU3d}


def _check_bn_for_qat(conv, bn, suffix=''):
    if bn.num_features != conv.out_channels:
        raise AssertionError("Output channel of Conv2d must match num_features of BatchNorm2d" + suffix)
    if not bn.affine:
        raise AssertionError("Only support fusing BatchNorm2d with affine set to True")
    if not bn.track_running_stats:
        raise AssertionError("Only support fusing BatchNorm2d with tracking_running_stats set to True")


def fuse_conv_bn(is_qat, conv, bn):
    if conv.training != bn.training:
        raise AssertionError("Conv and BN both must be in the same mode (train or eval).")
    if not is_qat:
        return fuse_conv_bn_eval(conv, bn)
    _check_bn_for_qat(conv, bn, '.')
    if type(conv) not in _CONV_BN:
        raise NotImplementedError(f"Cannot fuse train modules: {(conv, bn)}")
    return _CONV_BN[type(conv)](conv, bn)


def fuse_conv_bn_relu(is_qat, conv, bn, relu):
    if not conv.training == bn.training == relu.training:
        raise AssertionError("Conv and BN both must be in the same mode (train or eval).")
    if is_qat:
        _check_bn_for_qat(conv, bn)
        if type(conv) not in _CONV_BN_RELU:
            raise NotImplementedError(f"Cannot fuse train modules: {(conv, bn, relu)}")
        return _CONV_BN_RELU[type(conv)](conv, bn, relu)
    if type(conv) not in _CONV_RELU:
        raise NotImplementedError(f"Cannot fuse eval modules: {(conv, bn, relu)}")
    return _CONV_RELU[type(conv)](fuse_conv_bn_eval(conv, bn), relu)


def fuse_linear_bn(is_qat, linear, bn):
    if linear.training != bn.training:
        raise AssertionError("Linear and BN both must be in the same mode (train or eval).")
    if not is_qat:
        return fuse_linear_bn_eval(linear, bn)
    if bn.num_features != linear.out_features:
        raise AssertionError("Output features of Linear must match num_features of BatchNorm1d")
    if not bn.affine:
        raise AssertionError("Only support fusing BatchNorm1d with affine set to True")
    if not bn.track_running_stats:
        raise AssertionError("Only support fusing BatchNorm1d with tracking_running_stats set to True")
    return nni.LinearBn1d(linear, bn)


def _wrap2(cls):
    return lambda is_qat, a, b: cls(a, b)


_FUSERS = {
    (nn.Conv1d, nn.BatchNorm1d): fuse_conv_bn, (nn.Conv1d, nn.BatchNorm1d, nn.ReLU): fuse_conv_bn_relu,
    (nn.Conv2d, nn.BatchNorm2d): fuse_conv_bn, (nn.Conv2d, nn.BatchNorm2d, nn.ReLU): fuse_conv_bn_relu,
    (nn.Conv3d, nn.BatchNorm3d): fuse_conv_bn, (nn.Conv3d, nn.BatchNorm3d, nn.ReLU): fuse_conv_bn_relu,
    (nn.Conv1d, nn.ReLU): _wrap2(nni.ConvReLU1d), (nn.Conv2d, nn.ReLU): _wrap2(nni.ConvReLU2d),
    (nn.Conv3d, nn.ReLU): _wrap2(nni.ConvReLU3d), (nn.Linear, nn.BatchNorm1d): fuse_linear_bn,
    (nn.Linear, nn.ReLU): _wrap2(nni.LinearReLU), (nn.BatchNorm2d, nn.ReLU): _wrap2(nni.BNReLU2d),
    (nn.BatchNorm3d, nn.ReLU): _wrap2(nni.BNReLU3d),
}


def get_fuser_method(op_list, additional_fuser_method_mapping=None):
    fuser = {**_FUSERS, **(additional_fuser_method_mapping or {})}.get(op_list)
    if fuser is None:
        raise AssertionError(_torch_text(f"did not find fuser method for: {op_list} "))
    return fuser


def fuse_known_modules(mod_list, is_qat, additional_fuser_method_mapping=None):
    types = tuple(type(m) for m in mod_list)
    fused = get_fuser_method(types, additional_fuser_method_mapping)(is_qat, *mod_list)
    # the first module's pre-hooks and the last one's hooks move to the fused module
    for hook in mod_list[0]._forward_pre_hooks.values():
        fused.register_forward_pre_hook(hook)
    mod_list[0]._forward_pre_hooks.clear()
    for hook in mod_list[-1]._forward_hooks.values():
        fused.register_forward_hook(hook)
    mod_list[-1]._forward_hooks.clear()
    new = [fused]
    for _ in mod_list[1:]:
        identity = nn.Identity()
        identity.training = mod_list[0].training
        new.append(identity)
    return new


def _get_module(model, key):
    for s in key.split('.'):
        model = getattr(model, s)
    return model


def _set_module(model, key, module):
    *path, last = key.split('.')
    for s in path:
        model = getattr(model, s)
    setattr(model, last, module)


def _fuse_modules(model, modules_to_fuse, is_qat, inplace=False, fuser_func=fuse_known_modules,
                  fuse_custom_config_dict=None):
    if not inplace:
        model = copy.deepcopy(model)
    extra = (fuse_custom_config_dict or {}).get('additional_fuser_method_mapping', {})
    groups = [modules_to_fuse] if all(isinstance(m, str) for m in modules_to_fuse) else modules_to_fuse
    for keys in groups:
        new = fuser_func([_get_module(model, k) for k in keys], is_qat, extra)
        for k, m in zip(keys, new):
            _set_module(model, k, m)
    return model


def fuse_modules(model, modules_to_fuse, inplace=False, fuser_func=fuse_known_modules, fuse_custom_config_dict=None):
    return _fuse_modules(model, modules_to_fuse, False, inplace, fuser_func, fuse_custom_config_dict)


def fuse_modules_qat(model, modules_to_fuse, inplace=False, fuser_func=fuse_known_modules,
                     fuse_custom_config_dict=None):
    return _fuse_modules(model, modules_to_fuse, True, inplace, fuser_func, fuse_custom_config_dict)
