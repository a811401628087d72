"""torch.fx.replace_pattern: find every copy of a pattern graph in a GraphModule and put a
replacement graph in its place."""
from typing import NamedTuple

from .graph import Graph
from .node import Node


class Match(NamedTuple):
    anchor: Node          # the pattern node the match was grown from (its output)
    nodes_map: dict       # pattern node -> matched node


def _graph_of(obj):
    from .graph_module import GraphModule
    from ._symbolic_trace import symbolic_trace
    if isinstance(obj, Graph):
        return obj, None
    if not isinstance(obj, GraphModule):
        obj = symbolic_trace(obj)
    return obj.graph, obj


def _returning(graph):
    out = next(n for n in reversed(graph.nodes) if n.op == 'output')
    ret = out.args[0]
    return list(ret) if isinstance(ret, (tuple, list)) else [ret]


def _match_arg(pa, ga, nodes_map):
    if isinstance(pa, Node):
        return isinstance(ga, Node) and _match_node(pa, ga, nodes_map)
    if isinstance(pa, (list, tuple)):
        return isinstance(ga, (list, tuple)) and len(pa) == len(ga) and \
            all(_match_arg(p, g, nodes_map) for p, g in zip(pa, ga))
    if isinstance(pa, dict):
        return isinstance(ga, dict) and pa.keys() == ga.keys() and \
            all(_match_arg(pa[k], ga[k], nodes_map) for k in pa)
    return not isinstance(ga, Node) and type(pa) is type(ga) and pa == ga


def _match_node(pn, gn, nodes_map):
    if pn in nodes_map:
        return nodes_map[pn] is gn
    if any(g is gn for g in nodes_map.values()):
        return False
    if pn.op == 'placeholder':
        nodes_map[pn] = gn
        return True
    if pn.op != gn.op or pn.op != 'get_attr' and pn.target != gn.target:
        return False
    saved = dict(nodes_map)
    nodes_map[pn] = gn
    if _match_arg(pn.args, gn.args, nodes_map) and _match_arg(pn.kwargs, gn.kwargs, nodes_map):
        return True
    nodes_map.clear()
    nodes_map.update(saved)
    return False


def _find_matches(pattern, graph):
    anchors = _returning(pattern)
    inner = [n for n in pattern.nodes if n.op not in ('placeholder', 'output')]
    matches, taken = [], set()
    for gn in graph.nodes:
        nodes_map = {}
        if not _match_node(anchors[0], gn, nodes_map):
            continue
        if not all(any(_match_node(a, g, nodes_map) for g in graph.nodes) for a in anchors[1:]):
            continue
        matched = {nodes_map[p] for p in inner}
        # a node inside the match may feed only the match, unless it is one of the results
        results = {nodes_map[a] for a in anchors}
        if any(u not in matched for p in inner for u in nodes_map[p].users if nodes_map[p] not in results):
            continue
        if matched & taken:
            continue
        taken |= matched
        matches.append(Match(anchors[0], dict(nodes_map)))
    return matches


def replace_pattern(gm, pattern, replacement):
    pattern_graph, _ = _graph_of(pattern)
    replacement_graph, replacement_gm = _graph_of(replacement)
    graph = gm.graph
    matches = _find_matches(pattern_graph, graph)
    p_holders = [n for n in pattern_graph.nodes if n.op == 'placeholder']
    r_holders = [n for n in replacement_graph.nodes if n.op == 'placeholder']
    p_returning = _returning(pattern_graph)
    for match in matches:
        results = [match.nodes_map[p] for p in p_returning]
        users = {u for r in results for u in r.users}
        order = list(graph.nodes)
        first_user = next((n for n in order if n in users), None)
        val_map = {r: match.nodes_map[p] for r, p in zip(r_holders, p_holders)}
        if first_user is not None:
            point = graph.inserting_before(first_user)
        else:
            point = graph.inserting_after(max(results, key=order.index))
        with point:
            copied = graph.graph_copy(replacement_graph, val_map)
        copied = list(copied) if isinstance(copied, (tuple, list)) else [copied]
        for old, new in zip(results, copied):
            old.replace_all_uses_with(new)
        for p in reversed(pattern_graph.nodes):
            if p.op not in ('placeholder', 'output'):
                graph.erase_node(match.nodes_map[p])
    if replacement_gm is not None:
        for n in replacement_graph.nodes:
            if n.op in ('get_attr', 'call_module') and not hasattr(gm, n.target.split('.')[0]):
                gm.add_submodule(n.target, replacement_gm.get_submodule(n.target)) \
                    if n.op == 'call_module' else setattr(gm, n.target, getattr(replacement_gm, n.target))
    gm.recompile()
    return matches
