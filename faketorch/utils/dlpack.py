"""torch.utils.dlpack: zero-copy exchange with NumPy, CuPy, real torch and anything else that
speaks DLPack (`__dlpack__` / `__dlpack_device__`, or a legacy capsule)."""
import enum

from .. import _xnp as np

__all__ = ['DLDeviceType', 'from_dlpack', 'to_dlpack']


class DLDeviceType(enum.IntEnum):
    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLROCMHost = 11
    kDLExtDev = 12
    kDLCUDAManaged = 13
    kDLOneAPI = 14
    kDLWebGPU = 15
    kDLHexagon = 16
    kDLMAIA = 17


class _Capsule:
    """A bare DLPack capsule, dressed as a producer of the device its DLTensor names."""
    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        kind, index = _capsule_device(self.capsule)
        return (DLDeviceType(kind), index)


def _capsule_device(capsule):
    """(device type, index) of the DLTensor in a capsule: its DLDevice follows the data pointer, inside
    DLManagedTensorVersioned after the version, manager context, deleter and flags (8 bytes each), or at
    the start of a legacy DLManagedTensor."""
    import ctypes
    api = ctypes.pythonapi
    api.PyCapsule_GetName.restype, api.PyCapsule_GetName.argtypes = ctypes.c_char_p, [ctypes.py_object]
    api.PyCapsule_GetPointer.restype = ctypes.c_void_p
    api.PyCapsule_GetPointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    name = api.PyCapsule_GetName(capsule)
    if name not in (b'dltensor', b'dltensor_versioned'):       # used_dltensor: consumed already
        raise RuntimeError('from_dlpack received an invalid capsule. Note that DLTensor capsules can be '
                           'consumed only once, so you might have already constructed a tensor from it once.')
    ptr = api.PyCapsule_GetPointer(capsule, name)
    device = (ctypes.c_int32 * 2).from_address(ptr + (40 if name == b'dltensor_versioned' else 8))
    return device[0], device[1]


def from_dlpack(ext_tensor):
    """A tensor sharing memory with `ext_tensor` (an object with __dlpack__, or a capsule)."""
    from .._ops.factory import _make_shared
    if not hasattr(ext_tensor, '__dlpack__'):
        if type(ext_tensor).__name__ != 'PyCapsule':
            raise RuntimeError('from_dlpack received an invalid capsule. Note that DLTensor capsules can be '
                               'consumed only once, so you might have already constructed a tensor from it once.')
        ext_tensor = _Capsule(ext_tensor)
    kind, index = ext_tensor.__dlpack_device__()
    if kind in (DLDeviceType.kDLCUDA, DLDeviceType.kDLCUDAManaged):
        from .._device import _cupy
        with _cupy().cuda.Device(index):
            return _make_shared(_cupy().from_dlpack(ext_tensor))
    return _make_shared(np.from_dlpack(ext_tensor))


def to_dlpack(tensor):
    """A DLPack capsule of `tensor` (consumed once by a from_dlpack)."""
    return tensor.__dlpack__(max_version=(1, 0))     # versioned: it carries the writable flag
