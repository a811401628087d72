"""torch.onnx: export a model to an ONNX file, through the `onnx` package (imported at export time,
as torch does; faketorch itself does not depend on it).

Both of torch's exporters are here: `dynamo=True` (the default; torch needs `onnxscript` for it, so
faketorch asks for it too) and the TorchScript one (`dynamo=False`). Each traces the model with
faketorch.fx and writes the graph torch writes for the common layers (see _ops.py); the README's known
differences list where the result is not torch's.
"""
import abc
import contextlib
import enum
import io
import os
import warnings

import numpy as np

from . import errors, operators
from .errors import OnnxExporterError
from ..nn import Module

__all__ = ['errors', 'export', 'is_in_onnx_export', 'OnnxExporterError', 'ONNXProgram', 'ExportableModule']

producer_name = 'pytorch'
producer_version = '2.13.0'
_DEFAULT_OPSET = 20
_TORCH_EXPORT_IR_VERSION = 10


class _PybindEnum(enum.IntEnum):
    """torch._C._onnx's enums: pybind11 ones, printed `TrainingMode.EVAL`."""

    def __str__(self):
        return f'{type(self).__name__}.{self.name}'


TrainingMode = _PybindEnum('TrainingMode', [('EVAL', 0), ('PRESERVE', 1), ('TRAINING', 2)])
OperatorExportTypes = _PybindEnum('OperatorExportTypes', [('ONNX', 0), ('ONNX_ATEN', 1), ('ONNX_ATEN_FALLBACK', 2),
                                                          ('ONNX_FALLTHROUGH', 3)])
TensorProtoDataType = _PybindEnum('TensorProtoDataType', [
    ('UNDEFINED', 0), ('FLOAT', 1), ('UINT8', 2), ('INT8', 3), ('UINT16', 4), ('INT16', 5), ('INT32', 6),
    ('INT64', 7), ('STRING', 8), ('BOOL', 9), ('FLOAT16', 10), ('DOUBLE', 11), ('UINT32', 12), ('UINT64', 13),
    ('COMPLEX64', 14), ('COMPLEX128', 15), ('BFLOAT16', 16), ('FLOAT8E4M3FN', 17), ('FLOAT8E4M3FNUZ', 18),
    ('FLOAT8E5M2', 19), ('FLOAT8E5M2FNUZ', 20)])
for _enum in (TrainingMode, OperatorExportTypes, TensorProtoDataType):
    _enum.__module__ = 'torch._C._onnx'

_EXPORTING = [False]


def is_in_onnx_export():
    """Whether an export is running (the model's forward is being traced)."""
    return _EXPORTING[0]


@contextlib.contextmanager
def _exporting():
    _EXPORTING[0] = True
    try:
        yield
    finally:
        _EXPORTING[0] = False


class ExportableModule(Module, abc.ABC):
    """A module that carries its own example inputs (and optionally input/output names, dynamic
    shapes): export(module) with no args uses them, with the torch.export exporter."""

    @abc.abstractmethod
    def example_arguments(self):
        """(args tuple, kwargs dict or None) to run forward on."""
        raise NotImplementedError

    def dynamic_shapes(self):
        return None

    def input_names(self):
        return None

    def output_names(self):
        return None

    def to_onnx(self, **kwargs):
        return export(self, **kwargs)


ExportableModule.__module__ = 'torch.onnx'


class ONNXProgram:
    """What export(dynamo=True) returns: the ONNX model, saved with .save() or read as .model_proto."""

    def __init__(self, model_proto):
        self._model_proto = model_proto
        self.exported_program = None       # faketorch has no torch.export graph capture

    @property
    def model_proto(self):
        return self._model_proto

    @property
    def model(self):
        return self._model_proto

    def optimize(self):
        """The graph is written already optimised (see _graph's folds)."""

    def save(self, destination, *, include_initializers=True, keep_initializers_as_inputs=False, external_data=None):
        import onnx
        proto = onnx.ModelProto()
        proto.CopyFrom(self._model_proto)
        graph = proto.graph
        if keep_initializers_as_inputs:
            graph.input.extend(_value_info(onnx, init.name, onnx.numpy_helper.to_array(init))
                               for init in graph.initializer)
        if not include_initializers:
            del graph.initializer[:]
        if external_data:
            if not isinstance(destination, (str, os.PathLike)):
                raise TypeError('Destination must be a file path (str or os.PathLike) when saving with external data.')
            location = os.path.basename(os.fspath(destination)) + '.data'
            onnx.save_model(proto, destination, save_as_external_data=True, all_tensors_to_one_file=True,
                            location=location, size_threshold=0)
        else:
            onnx.save_model(proto, destination)

    def call_reference(self, *args, **kwargs):
        import onnx.reference
        from .. import from_numpy
        evaluator = onnx.reference.ReferenceEvaluator(self._model_proto)
        feeds = {i.name: a.detach().cpu().numpy() for i, a in zip(self._model_proto.graph.input, args)}
        return tuple(from_numpy(o) for o in evaluator.run(None, feeds))

    def release(self):
        pass


def _value_info(onnx, name, array, dims=None):
    elem = onnx.helper.np_dtype_to_tensor_dtype(array.dtype)
    return onnx.helper.make_tensor_value_info(name, elem, dims if dims is not None else list(array.shape))


def export(model, args=(), f=None, *, kwargs=None, verbose=None, input_names=None, output_names=None,
           opset_version=None, dynamo=True, external_data=True, dynamic_shapes=None, custom_translation_table=None,
           report=False, optimize=True, verify=False, profile=False, dump_exported_program=False, artifacts_dir='.',
           export_params=True, keep_initializers_as_inputs=False, dynamic_axes=None, training=TrainingMode.EVAL,
           operator_export_type=OperatorExportTypes.ONNX, do_constant_folding=True, custom_opsets=None,
           export_modules_as_functions=False, autograd_inlining=True):
    """Export `model` (an nn.Module) run on `args` to ONNX: with dynamo=True (default) returns an
    ONNXProgram (and writes `f` if given); with dynamo=False writes `f` and returns None."""
    from .._tensor import Tensor
    if dynamo is True or isinstance(model, ExportableModule):
        if isinstance(args, Tensor):
            args = (args,)
        if isinstance(model, ExportableModule) and not args and not kwargs:
            args, kwargs = model.example_arguments()
            input_names = model.input_names() if input_names is None else input_names
            output_names = model.output_names() if output_names is None else output_names
            dynamic_shapes = model.dynamic_shapes() if dynamic_shapes is None else dynamic_shapes
        return _export_dynamo(model, args, f, kwargs, verbose, input_names, output_names, opset_version,
                              external_data, dynamic_shapes, dynamic_axes, optimize, export_params,
                              keep_initializers_as_inputs)
    warnings.warn(
        'You are using the legacy TorchScript-based ONNX export. Starting in PyTorch 2.9, the new '
        'torch.export-based ONNX exporter has become the default. Learn more about the new export logic: '
        'https://docs.pytorch.org/docs/stable/onnx_export.html. For exporting control flow: '
        'https://pytorch.org/tutorials/beginner/onnx/export_control_flow_model_to_onnx_tutorial.html',
        category=DeprecationWarning, stacklevel=2)
    if dynamic_shapes:
        raise ValueError('The exporter only supports dynamic shapes through parameter dynamic_axes when dynamo=False.')
    _export_legacy(model, args, f, kwargs, input_names, output_names, opset_version, dynamic_axes, export_params,
                   keep_initializers_as_inputs, training, do_constant_folding)
    return None


def _export_legacy(model, args, f, kwargs, input_names, output_names, opset_version, dynamic_axes, export_params,
                   keep_initializers_as_inputs, training, do_constant_folding):
    from .._tensor import Tensor
    if isinstance(args, Tensor):
        args = (args,)
    args = tuple(args)
    if args and isinstance(args[-1], dict):        # torch's old convention: trailing dict = kwargs
        kwargs, args = args[-1], args[:-1]
    try:
        import onnx
        import onnx.numpy_helper  # noqa: F401
    except ImportError as e:
        raise OnnxExporterError('Module onnx is not installed!') from e
    opset = opset_version if opset_version is not None else _DEFAULT_OPSET
    was_training = model.training
    if training == TrainingMode.EVAL:
        model.train(False)
    elif training == TrainingMode.TRAINING:
        model.train(True)
    try:
        with _exporting():
            b, rec = _record(onnx, model, args, kwargs, True, input_names, opset,
                             lambda names: _legacy_dims(dynamic_axes))
    finally:
        model.train(was_training)
    from . import _graph
    # torch counts the parameters among the inputs here (they become initializers later)
    for kind, given, have in (('input', input_names, len(rec.inputs) + sum(n in b.params for n in b.used)),
                              ('output', output_names, len(b.outputs))):
        if given is not None and len(given) > have:
            raise RuntimeError(f'number of {kind} names provided ({len(given)}) exceeded number of {kind}s ({have})')
    _graph.merge_duplicates(b)
    _graph.drop_dead(b)
    _graph.fold_transposes(b)
    if do_constant_folding:
        _graph.fold_batch_norm(b)
    if export_params and training != TrainingMode.TRAINING:
        _graph.share_initializers(b, list(b.params))
    names = list(output_names or [])
    outputs = [names[i] if i < len(names) else out for i, out in enumerate(b.outputs)]
    for old, new in zip(b.outputs, outputs):
        if old != new:
            _graph._rename_value(b, old, new)
    proto = _assemble(onnx, b, rec, outputs, opset, onnx.helper.find_min_ir_version_for(
        [onnx.helper.make_opsetid('', opset)]), producer_version, b.dims)
    if not export_params:
        inits = list(proto.graph.initializer)
        del proto.graph.initializer[:]
        proto.graph.input.extend(_value_info(onnx, i.name, onnx.numpy_helper.to_array(i)) for i in inits)
    elif keep_initializers_as_inputs:
        proto.graph.input.extend(_value_info(onnx, i.name, onnx.numpy_helper.to_array(i))
                                 for i in proto.graph.initializer)
    data = proto.SerializeToString()
    if isinstance(f, (str, os.PathLike)):
        with open(f, 'wb') as fh:
            fh.write(data)
    elif f is not None:
        f.write(data)


def _legacy_dims(dynamic_axes):
    """dynamic_axes -> {value name: {axis: dim name}}; a list of axes gets torch's '<name>_dynamic_axes_<k>'."""
    dims = {}
    for name, axes in (dynamic_axes or {}).items():
        if isinstance(axes, dict):
            dims[name] = dict(axes)
        else:
            dims[name] = {a: f'{name}_dynamic_axes_{k + 1}' for k, a in enumerate(axes)}
    return dims


def _record(onnx, model, args, kwargs, legacy, input_names, opset, dims_of):
    """Trace and run the model; returns the filled _Builder and the Recorder. dims_of(input names)
    gives the dynamic dimensions: {input name: {axis: dim name}}."""
    from . import _graph, _ops
    from .._tensor import Tensor
    if kwargs:      # keyword inputs: in the forward's order, as positional ones
        import inspect
        bound = inspect.signature(model.forward).bind(*args, **kwargs)
        bound.apply_defaults()
        args = tuple(bound.arguments.values())
    gm, values = _graph.trace(model, args, legacy)
    params = {k: v.detach().cpu().numpy() for k, v in model.state_dict(keep_vars=True).items()}
    nodes = list(gm.graph.nodes)
    inputs = [n for n, a in zip([n for n in nodes if n.op == 'placeholder'], args) if isinstance(a, Tensor)]
    given = list(input_names or [])
    # unnamed: the forward's argument names (torch.export), placeholders for now (TorchScript, below)
    names = [given[i] if i < len(given) else (f'__input_{i}' if legacy else n.target.lstrip('*'))
             for i, n in enumerate(inputs)]
    b = _graph._Builder(onnx, legacy, params, opset)
    b.dims = dims_of(names)
    varying = {}
    if b.dims:
        varying, b.grown_inputs, b.grown_outputs = _graph.varying_dims(gm, values, args,
                                                                       [b.dims.get(n, {}) for n in names])
    rec = _graph.Recorder(gm, values, b, _ops.CONVERT, names, varying)
    out = rec.run(*args)
    output_node = next(n for n in nodes if n.op == 'output')
    b.outputs = _flat_values(rec.names[output_node])
    b.output_values = _flat_values(out)
    if legacy:
        # unnamed inputs: see _default_input_name; unnamed outputs: the value number
        for i, n in enumerate(inputs):
            if i >= len(given):
                new = _default_input_name(b, gm, n, names[i], rec.ids[n])
                _graph._rename_value(b, names[i], new)
                rec.inputs[i] = (new, rec.inputs[i][1])
        for name, src in zip(list(b.outputs), _flat_values(output_node.args[0])):
            if src in rec.ids and src.op != 'placeholder':
                _graph._rename_value(b, name, str(rec.ids[src]))
    return b, rec


# the torch.nn modules whose forward hands its `input` to a Python function that calls the op: the
# TorchScript tracer names a value after the variable holding it one frame above the op's caller
_NAMES_INPUT = {'Conv1d', 'Conv2d', 'Conv3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d', 'ReLU',
                'BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d', 'Softmax', 'LogSoftmax', 'LayerNorm', 'Embedding',
                'Dropout', 'AdaptiveAvgPool1d', 'AdaptiveAvgPool2d'}


def _default_input_name(b, gm, node, name, number):
    """The TorchScript exporter's name of an unnamed input: 'input' where its first reader is one of
    _NAMES_INPUT ('input.1' once a later value takes the name too), else 'onnx::<reader's op>_<number>'."""
    def names_input(n):
        return n.op == 'call_module' and type(gm.get_submodule(n.target)).__name__ in _NAMES_INPUT
    first = next((u for u in gm.graph.nodes if node in u._input_nodes), None)
    if first is not None and names_input(first):
        later = [u for u in gm.graph.nodes if names_input(u) and u.args and u.args[0] is not node]
        return 'input.1' if later else 'input'
    op = next((x.op_type for x in b.nodes if name in x.input), 'Identity')
    return f'onnx::{op}_{number}'


def _flat_values(x):
    """A model's outputs (a tensor, or nested tuples and lists of them) as one list."""
    if isinstance(x, (tuple, list)):
        return [y for item in x for y in _flat_values(item)]
    return [x]


def _assemble(onnx, b, rec, outputs, opset, ir_version, version, dims):
    """The ModelProto: inputs with their (dynamic) dims, nodes, initializers in state_dict order."""
    inputs = []
    for name, t in rec.inputs:
        arr = t.detach().cpu().numpy()
        shape = [dims.get(name, {}).get(k, d) for k, d in enumerate(arr.shape)]
        inputs.append(_value_info(onnx, name, arr, shape))
    order = list(b.params)
    read = {i for n in b.nodes for i in n.input}      # what a fold replaced is left out
    # parameters in state_dict order, then torch.export's lifted scalars, then the other constants
    names = sorted((n for n in b.used if n in read), key=lambda n: (
        order.index(n) if n in order else len(order) + (0 if n.startswith('scalar_tensor_default') else 1)))
    inits = [onnx.numpy_helper.from_array(np.asarray(b.used[n], order='C'), n) for n in names]
    graph = onnx.helper.make_graph(b.nodes, 'main_graph', inputs, [], inits)
    model = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid('', opset)],
                                   producer_name=producer_name, producer_version=version)
    model.ir_version = ir_version
    inferred = {}
    if dims:
        try:
            shaped = onnx.shape_inference.infer_shapes(model)
            inferred = {v.name: v for v in shaped.graph.value_info}
        except Exception:
            pass
    sizes = {}       # (size, grown size) of each dynamic input dim -> its name
    for (name, t), grown in zip(rec.inputs, b.grown_inputs or [None] * len(rec.inputs)):
        for axis, label in dims.get(name, {}).items():
            if grown is not None:
                sizes[(t.shape[axis], grown.shape[axis])] = label
    for name, t, grown in zip(outputs, b.output_values, b.grown_outputs or [None] * len(outputs)):
        arr = t.detach().cpu().numpy()
        shape = list(arr.shape)
        if grown is not None:     # a dim that grew with a dynamic input dim takes its name
            shape = [sizes.get((p, q), p) for p, q in zip(shape, grown.shape)]
        if name in inferred and not any(isinstance(d, str) for d in shape):
            got = [d.dim_param or d.dim_value for d in inferred[name].type.tensor_type.shape.dim]
            if len(got) == len(shape):
                shape = got
        shape = [dims.get(name, {}).get(k, d) for k, d in enumerate(shape)]
        model.graph.output.append(_value_info(onnx, name, arr, shape))
    return model


def _export_dynamo(model, args, f, kwargs, verbose, input_names, output_names, opset_version, external_data,
                   dynamic_shapes, dynamic_axes, optimize, export_params, keep_initializers_as_inputs):
    import onnxscript  # noqa: F401  torch's exporter needs it: without it, its ModuleNotFoundError
    import onnx
    import onnx.numpy_helper  # noqa: F401
    from . import _graph
    # torchlib starts at opset 18: a lower request is written at 18 (torch's conversion down fails)
    opset = max(opset_version if opset_version is not None else _DEFAULT_OPSET, 18)
    if model.training:
        warnings.warn('Exporting a model while it is in training mode. Please ensure that this is intended, as it '
                      'may lead to different behavior during inference. Calling model.eval() before export is '
                      'recommended.', UserWarning, stacklevel=3)
    say = (lambda *a: None) if verbose is False else (lambda *a: print('[torch.onnx]', *a))
    first_line = repr(model).split('\n', 1)
    model_repr = first_line[0] + ('[...]' if len(first_line) > 1 else '')
    step = f'Obtain model graph for `{model_repr}` with `torch.export.export(..., strict=False)`...'
    say(step)
    with _exporting():
        b, rec = _record(onnx, model, args, kwargs, False, input_names, opset,
                         lambda names: _dynamo_dims(names, dynamic_shapes, dynamic_axes))
    say(step + ' ✅')
    say('Run decompositions...')
    say('Run decompositions... ✅')
    say('Translate the graph into ONNX...')
    say('Translate the graph into ONNX... ✅')
    _graph.merge_duplicates(b)
    _graph.drop_dead(b)
    if optimize:
        say('Optimize the ONNX graph...')
        _graph.fold_transposes(b)
        _graph.fold_batch_norm(b)
        _graph.share_initializers(b, list(b.params))
        for name in b.late:
            if name in b.used:
                b.used[name] = b.used.pop(name)
        say('Optimize the ONNX graph... ✅')
    names = list(output_names or [])
    outputs = [names[i] if i < len(names) else out for i, out in enumerate(b.outputs)]
    for old, new in zip(b.outputs, outputs):
        if old != new:
            _graph._rename_value(b, old, new)
    from .. import __version__
    proto = _assemble(onnx, b, rec, outputs, opset, _TORCH_EXPORT_IR_VERSION, __version__, b.dims)
    program = ONNXProgram(proto)
    if f is not None:
        if isinstance(f, io.BytesIO):
            warnings.warn('Saving ONNX model to a BytesIO object is deprecated. Please use a file path instead.',
                          DeprecationWarning, stacklevel=2)
            onnx.save(proto, f)
        else:
            program.save(f, include_initializers=export_params, keep_initializers_as_inputs=keep_initializers_as_inputs,
                         external_data=external_data)
    return program


def _dynamo_dims(names, dynamic_shapes, dynamic_axes):
    """dynamic_shapes (per input: {axis: Dim or name}) -> {input name: {axis: dim name}}."""
    dims = {}
    if dynamic_shapes is None and dynamic_axes is not None:
        return _legacy_dims(dynamic_axes)
    if dynamic_shapes is None:
        return dims
    specs = list(dynamic_shapes.values()) if isinstance(dynamic_shapes, dict) else list(dynamic_shapes)
    auto = 0
    for name, spec in zip(names, specs):
        if not spec:
            continue
        items = spec.items() if isinstance(spec, dict) else enumerate(spec)
        for axis, dim in items:
            if dim is None:
                continue
            label = dim if isinstance(dim, str) else getattr(dim, '__name__', None)
            if label is None:
                label, auto = f's{auto}', auto + 1
            dims.setdefault(name, {})[axis] = label
    return dims


def select_model_mode_for_export(model, mode):
    """Context manager: the model in `mode` (a TrainingMode) while it runs, its old mode after."""
    @contextlib.contextmanager
    def ctx():
        was = model.training
        if mode != TrainingMode.PRESERVE:
            model.train(mode == TrainingMode.TRAINING)
        try:
            yield
        finally:
            model.train(was)
    return ctx()
