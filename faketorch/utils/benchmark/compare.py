"""Compare: measurements as a table, label by label (rows: sub_label, columns: description).

Torch's layout: one block per label, a section per thread count, times in one unit; torch's
colouring, trimming to significant figures and highlighting options are accepted, and only
`trim_significant_figures` has an effect."""
import collections

from .common import select_unit, trim_sigfig, unit_to_english

__all__ = ['Compare']


class Compare:
    def __init__(self, results):
        self._results = []
        self.extend_results(results)
        self._trim_significant_figures = False
        self._colorize = False
        self._highlight_warnings = False

    def __str__(self):
        return "\n".join(self._render())

    def extend_results(self, results):
        for r in results:
            if not hasattr(r, 'task_spec'):
                raise ValueError("Expected an instance of `Measurement`, " f"got {type(r)} instead.")
        self._results.extend(results)

    def trim_significant_figures(self):
        self._trim_significant_figures = True

    def colorize(self, rowwise=False):
        self._colorize = True

    def highlight_warnings(self):
        self._highlight_warnings = True

    def print(self):
        print(str(self))

    def _render(self):
        by_label = collections.OrderedDict()
        for r in self._results:
            by_label.setdefault(r.label, []).append(r)
        out = []
        for label, results in by_label.items():
            out.extend(self._layout(label, results))
        return out

    def _layout(self, label, results):
        unit, scale = select_unit(min(r.median for r in results))
        cols = list(dict.fromkeys(r.description for r in results))
        threads = sorted(set(r.num_threads for r in results))
        cells, rows_by_thread = {}, collections.OrderedDict((t, []) for t in threads)
        for r in results:
            row = r.as_row_name
            if row not in rows_by_thread[r.num_threads]:
                rows_by_thread[r.num_threads].append(row)
            v = r.median / scale
            if self._trim_significant_figures:
                v = trim_sigfig(v, r.significant_figures)
            cells[(r.num_threads, row, r.description)] = f'{v:.1f}' if v >= 10 or not self._trim_significant_figures \
                else f'{v:g}'
        row_w = max([len(row) for rows in rows_by_thread.values() for row in rows] + [len('1 threads: ')]) + 2
        col_ws = [max([len(c or '')] + [len(v) for k, v in cells.items() if k[2] == c]) + 2 for c in cols]
        header = ' ' * row_w + '|' + '|'.join(f'{(c or ""):^{w}}' for c, w in zip(cols, col_ws))
        width = len(header)
        title = f' {label} ' if label else ''
        lines = [f'[{title:-^{width - 2}}]', header]
        for t, rows in rows_by_thread.items():
            tl = f'{t} threads: '
            lines.append(tl + '-' * (width - len(tl)))
            for row in rows:
                lines.append(f'{row:>{row_w - 2}}  |' + '|'.join(
                    f'{cells.get((t, row, c), ""):^{w}}' for c, w in zip(cols, col_ws)))
        lines += ['', f'Times are in {unit_to_english(unit)}s ({unit}).', '']
        return lines
