"""torch.onnx.errors."""

__all__ = ['OnnxExporterWarning', 'SymbolicValueError', 'UnsupportedOperatorError']


class OnnxExporterWarning(UserWarning):
    """Warnings of the ONNX exporter."""


class OnnxExporterError(RuntimeError):
    """Errors raised by the ONNX exporter."""


OnnxExporterError.__module__ = 'torch.onnx'


class UnsupportedOperatorError(OnnxExporterError):
    """An operator the exporter cannot write to ONNX; torch's three messages."""

    def __init__(self, name, version, supported_version):
        if supported_version is not None:
            msg = (f"Exporting the operator '{name}' to ONNX opset version {version} is not supported. Support "
                   f'for this operator was added in version {supported_version}, try exporting with this version')
        elif name.startswith(('aten::', 'prim::', 'quantized::')):
            msg = f"Exporting the operator '{name}' to ONNX opset version {version} is not supported"
        else:
            msg = (f'ONNX export failed on an operator with unrecognized namespace {name}. If you are trying to '
                   'export a custom operator, make sure you registered it with the right domain and version.')
        super().__init__(msg)


class SymbolicValueError(OnnxExporterError):
    """An error on a value of the exported graph."""

    def __init__(self, msg, value):
        super().__init__(f'{msg}  [Caused by the value {value!r}]')
