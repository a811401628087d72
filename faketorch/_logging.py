"""torch._logging: faketorch has no dynamo/inductor logs, so set_logs takes torch's keywords and
changes nothing."""
import functools
import inspect
import logging

__all__ = ['set_logs', 'getArtifactLogger', 'warning_once']

_LEVEL_NAMES = ('all', 'dynamo', 'aot', 'autograd', 'dynamic', 'inductor', 'distributed', 'c10d', 'ddp',
                'fsdp', 'dtensor', 'onnx', 'export')
_ARTIFACTS = ('bytecode', 'aot_graphs', 'aot_joint_graph', 'ddp_graphs', 'graph', 'graph_code',
              'graph_code_verbose', 'graph_breaks', 'side_effects', 'graph_sizes', 'guards', 'recompiles',
              'recompiles_verbose', 'trace_source', 'trace_call', 'trace_bytecode', 'output_code',
              'kernel_code', 'schedule', 'perf_hints', 'pre_grad_graphs', 'post_grad_graphs',
              'ir_pre_fusion', 'ir_post_fusion', 'onnx_diagnostics', 'fusion', 'overlap', 'cudagraphs',
              'sym_node', 'compiled_autograd', 'compiled_autograd_verbose', 'cudagraph_static_inputs',
              'benchmarking', 'autotuning', 'incremental', 'graph_region_expansion', 'inductor_metrics',
              'hierarchical_compile', 'compute_dependencies', 'caching')


# torch's signature (keyword-only, levels default None, artifacts False), built from the tables, so a
# misspelt keyword raises TypeError as in torch.
_SIGNATURE = inspect.Signature(
    [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None) for n in _LEVEL_NAMES]
    + [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=False) for n in _ARTIFACTS]
    + [inspect.Parameter('modules', inspect.Parameter.KEYWORD_ONLY, default=None)])


def set_logs(**kwargs):
    """Accepts torch's keywords; there is nothing to log."""
    unknown = next((k for k in kwargs if k not in _SIGNATURE.parameters), None)
    if unknown is not None:
        raise TypeError(f"set_logs() got an unexpected keyword argument '{unknown}'")


set_logs.__signature__ = _SIGNATURE


def getArtifactLogger(module_qname, artifact_name):
    return logging.getLogger(f'{module_qname}.__{artifact_name}')


@functools.lru_cache(None)
def warning_once(logger_obj, *args, **kwargs):
    logger_obj.warning(*args, **kwargs)
