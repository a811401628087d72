"""torch.ops.profiler's record-function ops (what torch.autograd.profiler.record_function calls).
faketorch's profiler records nothing, so they only hand out and take back a handle."""


class _RecordFunction:
    """The handle _record_function_enter_new returns (a TorchScript object in torch)."""

    def __str__(self):
        return 'ScriptObject <__torch__.torch.classes.profiler._RecordFunction>'

    def _type(self):
        return '__torch__.torch.classes.profiler._RecordFunction'


def _check_name(op, name, args):
    returns = 'Tensor' if op == '_record_function_enter' else '__torch__.torch.classes.profiler._RecordFunction'
    for i, (arg, v, t) in enumerate((('name', name, 'str'), ('args', args, 'str?'))):
        if not (isinstance(v, str) or (v is None and t == 'str?')):
            raise RuntimeError(f"profiler::{op}() Expected a value of type 'str' for argument '{arg}' but instead "
                               f"found type '{type(v).__name__}'.\nPosition: {i}\nValue: {v!r}\nDeclaration: "
                               f"profiler::{op}(str name, str? args=None) -> {returns}"
                               f"\nCast error details: Unable to cast Python instance of type {type(v)} to C++ type "
                               "'?' (#define PYBIND11_DETAILED_ERROR_MESSAGES or compile in debug mode for details)")


def _record_function_enter(name, args=None):
    """The old form: the handle is a uint8 tensor (torch's holds the C++ object's bytes)."""
    import faketorch
    _check_name('_record_function_enter', name, args)
    return faketorch.zeros(0, dtype=faketorch.uint8)


def _record_function_enter_new(name, args=None):
    _check_name('_record_function_enter_new', name, args)
    return _RecordFunction()


def _record_function_exit(handle):
    import faketorch
    if not isinstance(handle, (faketorch.Tensor, _RecordFunction)):
        raise RuntimeError("Overloaded torch operator invoked from Python failed to match any schema:\n"
                           "profiler::_record_function_exit() Expected a value of type 'Tensor' for argument "
                           f"'handle' but instead found type '{type(handle).__name__}'.")


# (namespace, op) -> (function, overload names besides 'default')
OPS = {('profiler', '_record_function_enter'): (_record_function_enter, ()),
       ('profiler', '_record_function_enter_new'): (_record_function_enter_new, ()),
       ('profiler', '_record_function_exit'): (_record_function_exit, ('_RecordFunction',))}
CLASSES = {('profiler', '_RecordFunction'): _RecordFunction}
