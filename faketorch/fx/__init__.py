"""torch.fx: symbolic tracing into a Graph of Nodes, GraphModule, Interpreter."""
from .graph import Graph, PythonCode
from .graph_module import GraphModule
from .interpreter import Interpreter, Transformer
from .node import Node, map_arg, map_aggregate
from .proxy import Proxy, Attribute, TraceError
from ._symbolic_trace import Tracer, symbolic_trace, wrap
from .subgraph_rewriter import replace_pattern
from . import passes  # noqa: F401

__all__ = ['symbolic_trace', 'Tracer', 'wrap', 'Graph', 'GraphModule', 'Interpreter', 'Transformer',
           'Node', 'Proxy', 'replace_pattern', 'map_arg', 'map_aggregate', 'PythonCode', 'Attribute', 'TraceError']
