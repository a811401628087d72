"""The conformance report: one data dict, written as JSON, Markdown and HTML.

``build`` gathers the numbers; ``sections`` turns them into titled tables that
both ``to_markdown`` and ``to_html`` render, so the two never disagree.
"""
import html
import json
import os
from collections import defaultdict

from .opinfo import op_key
from .registry import namespace
from .runner import counts

STATUSES = ('pass', 'fail', 'missing', 'broken')


def build(outcomes, meta, plans=(), coverage=None):
    apis, by_ns = defaultdict(list), defaultdict(list)
    for o in outcomes:
        apis[o.api].append(o)
        by_ns[o.namespace].append(o)
    return {
        'meta': meta,
        'totals': counts(outcomes),
        'by_source': {s: counts([o for o in outcomes if o.source == s]) for s in ('case', 'opinfo')},
        'namespaces': {ns: counts(v) for ns, v in sorted(by_ns.items())},
        'apis': {api: dict(namespace=namespace(api), **counts(v), first_difference=_first_problem(v))
                 for api, v in sorted(apis.items(), key=lambda kv: (namespace(kv[0]), kv[0]))},
        'opinfo': _opinfo_summary([o for o in outcomes if o.source == 'opinfo'], plans),
        'coverage': coverage,
        'outcomes': [_outcome_json(o) for o in outcomes],
    }


def _first_problem(outcomes):
    for status in ('fail', 'broken', 'missing'):
        for o in outcomes:
            if o.status == status:
                return f'{o.id.split("::", 1)[1]}: {o.diff}'
    return ''


def _outcome_json(o):
    d = {'id': o.id, 'api': o.api, 'namespace': o.namespace, 'source': o.source,
         'status': o.status, 'seconds': [round(s, 6) for s in o.seconds], **o.extra}
    if o.status != 'pass':
        d.update(diff=o.diff, torch=o.ref, impl=o.impl)
    return d


def op_status(outcomes):
    """One word for an OpInfo's ids: pass, fail (any fail/broken), missing (all), partial."""
    c = counts(outcomes)
    if c['fail'] or c['broken']:
        return 'fail'
    if c['missing']:
        return 'partial' if c['pass'] else 'missing'
    return 'pass'


def _opinfo_summary(outcomes, plans):
    if not plans and not outcomes:
        return None
    per_op, per_dtype = defaultdict(list), defaultdict(list)
    for o in outcomes:
        per_op[o.extra.get('op', o.api)].append(o)
        per_dtype[o.id.rsplit('_', 1)[-1]].append(o)
    ops = {op: op_status(v) for op, v in per_op.items()}
    return {
        'ops_driven': len(ops),
        'ops_by_status': {s: sum(1 for v in ops.values() if v == s)
                          for s in ('pass', 'partial', 'fail', 'missing')},
        'ids': counts(outcomes),
        'by_dtype': {d: counts(v) for d, v in sorted(per_dtype.items())},
        'ops': ops,
        'not_driven': {op_key(p.op): p.notes for p in plans if p.notes},
        'no_dtypes': sorted({op_key(p.op) for p in plans if p.variants and not p.dtypes}),
    }


# ------------------------------------------------------------------ layout

def _counts_row(c):
    return [c['pass'], c['fail'], c['missing'], c['broken']]


def sections(data):
    m, t = data['meta'], data['totals']
    out = []
    intro = [f"torch {m.get('torch')} vs {m.get('impl')} {m.get('impl_version') or ''}".rstrip()
             + f" — {m.get('started', '')}, {m.get('seconds', 0):.0f} s."]
    if m.get('impl_import_error'):
        intro.append(f"**{m['impl']} failed to import:** {m['impl_import_error']}")
    intro.append(f"{sum(t.values())} ids: " + ', '.join(f'{t[s]} {s}' for s in STATUSES) + '.')
    intro.append('Differences read torch first: `dtype: torch.float32 vs torch.float64 at result[1]`.')
    head = ['', 'pass', 'fail', 'missing', 'broken']
    out.append(('Conformance report', intro, head,
                [[src] + _counts_row(c) for src, c in data['by_source'].items()]))
    out.append(('By namespace', [], ['namespace'] + head[1:],
                [[ns] + _counts_row(c) for ns, c in data['namespaces'].items()]))
    op = data.get('opinfo')
    if op:
        s = op['ops_by_status']
        text = [f"{op['ops_driven']} OpInfos driven: {s['pass']} pass, {s['partial']} partial "
                f"(pass where present), {s['fail']} fail, {s['missing']} missing. "
                f"Ids: " + ', '.join(f"{op['ids'][k]} {k}" for k in STATUSES) + '.']
        if op['not_driven']:
            text.append('Not driven: ' + ', '.join(f'`{k}` ({"; ".join(v)})'
                                                    for k, v in op['not_driven'].items()) + '.')
        if op['no_dtypes']:
            text.append('No CPU dtype among those tested: ' + ', '.join(f'`{k}`' for k in op['no_dtypes']) + '.')
        out.append(('OpInfo (torch op_db)', text, ['dtype'] + head[1:],
                    [[d] + _counts_row(c) for d, c in op['by_dtype'].items()]))
    out.append(_coverage_section(data.get('coverage')))
    out.append(('By API', ['First difference: the first failing id of the API (torch first).'],
                ['API', 'namespace', 'pass', 'fail', 'missing', 'broken', 'first difference'],
                [[api, a['namespace']] + _counts_row(a) + [a['first_difference']]
                 for api, a in data['apis'].items()]))
    return out


def _coverage_section(cov):
    title = 'API coverage (compat.inventory)'
    if not isinstance(cov, dict):
        return (title, [f'unavailable: {cov}'], [], [])
    keys = []
    for v in cov.values():
        keys += [k for k in v if k not in keys]
    rows = [[ns] + [_cell(v.get(k)) for k in keys] for ns, v in cov.items()]
    return (title, [], ['namespace'] + keys, rows)


def _cell(v):
    if isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, int) for x in v):
        have, total = v
        return f'{have}/{total}' + (f' ({100 * have // total}%)' if total else '')
    if isinstance(v, (list, tuple)):
        return ', '.join(map(str, v[:8])) + (f' … (+{len(v) - 8})' if len(v) > 8 else '')
    return '' if v is None else str(v)


def _md_cell(v):
    return str(v).replace('|', '\\|').replace('\n', ' ')


def to_markdown(secs):
    lines = []
    for n, (title, text, head, rows) in enumerate(secs):
        lines += [('# ' if n == 0 else '## ') + title, '']
        lines += [t + '\n' for t in text]
        if head:
            lines.append('| ' + ' | '.join(map(_md_cell, head)) + ' |')
            lines.append('|' + '---|' * len(head))
            lines += ['| ' + ' | '.join(map(_md_cell, r)) + ' |' for r in rows]
            lines.append('')
    return '\n'.join(lines)


_CSS = ('body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}'
        'td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}'
        'td.n{text-align:right}.fail{background:#fdd}.missing{background:#eee}.ok{background:#dfd}'
        'code{background:#f4f4f4}')


def to_html(secs):
    parts = [f'<!doctype html><meta charset="utf-8"><title>faketorch conformance</title><style>{_CSS}</style>']
    for n, (title, text, head, rows) in enumerate(secs):
        tag = 'h1' if n == 0 else 'h2'
        parts.append(f'<{tag}>{html.escape(title)}</{tag}>')
        parts += [f'<p>{_inline(t)}</p>' for t in text]
        if head:
            parts.append('<table><tr>' + ''.join(f'<th>{html.escape(str(h))}</th>' for h in head) + '</tr>')
            parts += ['<tr>' + ''.join(_td(h, v) for h, v in zip(head, r)) + '</tr>' for r in rows]
            parts.append('</table>')
    return '\n'.join(parts)


def _td(head, v):
    cls = ''
    if isinstance(v, int):
        cls = 'n' + (f' {head}' if v and head in ('fail', 'broken', 'missing') else ' ok' if v and head == 'pass' else '')
        cls = cls.replace('broken', 'fail')
    return f'<td class="{cls}">{html.escape(str(v))}</td>' if cls else f'<td>{html.escape(str(v))}</td>'


def _inline(text):
    """The little Markdown the intro uses: `code` and **bold**."""
    out = html.escape(text)
    for mark, tag in (('**', 'b'), ('`', 'code')):
        bits = out.split(mark)
        out = ''.join(b if i % 2 == 0 else f'<{tag}>{b}</{tag}>' for i, b in enumerate(bits))
    return out


def write(data, outdir):
    os.makedirs(outdir, exist_ok=True)
    secs = sections(data)
    with open(os.path.join(outdir, 'report.json'), 'w') as f:
        json.dump(data, f, indent=1, default=str)
    with open(os.path.join(outdir, 'report.md'), 'w') as f:
        f.write(to_markdown(secs))
    with open(os.path.join(outdir, 'report.html'), 'w') as f:
        f.write(to_html(secs))
    return [os.path.join(outdir, n) for n in ('report.md', 'report.html', 'report.json')]
