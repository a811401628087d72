"""torch.cuda memory statistics, read from CuPy's default memory pool.

On a CPU-only build torch reports empty statistics (zeros) and fails on the resets; so does this.
GPU path (untested here): CuPy's pool knows the bytes in use and held, not their history, so the
peaks are the largest values seen by these functions since the last reset, not true high-water marks.
"""
import collections
import warnings

from .._device import cuda_available, _cupy

_peak = {}          # device index -> {'allocated_bytes': n, 'reserved_bytes': n}


def _pool_stats():
    pool = _cupy().get_default_memory_pool()
    cur = {'allocated_bytes': pool.used_bytes(), 'reserved_bytes': pool.total_bytes()}
    idx = _cupy().cuda.runtime.getDevice()
    peak = _peak.setdefault(idx, dict(cur))
    for k, v in cur.items():
        peak[k] = max(peak[k], v)
    return cur, peak


def memory_stats(device=None):
    stats = collections.OrderedDict()
    if not cuda_available():
        return stats
    cur, peak = _pool_stats()
    for k in sorted(cur):
        stats[f'{k}.all.current'] = cur[k]
        stats[f'{k}.all.peak'] = peak[k]
    return stats


def memory_stats_as_nested_dict(device=None):
    out = {}
    for key, v in memory_stats(device).items():
        node = out
        *path, last = key.split('.')
        for p in path:
            node = node.setdefault(p, {})
        node[last] = v
    return out


def memory_allocated(device=None):
    return memory_stats(device).get('allocated_bytes.all.current', 0)


def max_memory_allocated(device=None):
    return memory_stats(device).get('allocated_bytes.all.peak', 0)


def memory_reserved(device=None):
    return memory_stats(device).get('reserved_bytes.all.current', 0)


def max_memory_reserved(device=None):
    return memory_stats(device).get('reserved_bytes.all.peak', 0)


def memory_cached(device=None):
    warnings.warn('`torch.cuda.memory_cached` has been renamed to `torch.cuda.memory_reserved`',
                  FutureWarning, stacklevel=2)
    return memory_reserved(device)


def max_memory_cached(device=None):
    warnings.warn('`torch.cuda.max_memory_cached` has been renamed to `torch.cuda.max_memory_reserved`',
                  FutureWarning, stacklevel=2)
    return max_memory_reserved(device)


def _no_binding(name):
    # a CPU-only torch lacks these bindings and fails on the attribute lookup (matched on purpose)
    raise AttributeError(f"module 'torch._C' has no attribute '{name}'")


def reset_peak_memory_stats(device=None):
    if not cuda_available():
        _no_binding('_cuda_resetPeakMemoryStats')
    _peak.pop(_cupy().cuda.runtime.getDevice(), None)


def reset_accumulated_memory_stats(device=None):
    if not cuda_available():
        _no_binding('_cuda_resetAccumulatedMemoryStats')


def reset_max_memory_allocated(device=None):
    warnings.warn('torch.cuda.reset_max_memory_allocated now calls torch.cuda.reset_peak_memory_stats, '
                  'which resets /all/ peak memory stats.', FutureWarning, stacklevel=2)
    return reset_peak_memory_stats(device)


def reset_max_memory_cached(device=None):
    warnings.warn('torch.cuda.reset_max_memory_cached now calls torch.cuda.reset_peak_memory_stats, '
                  'which resets /all/ peak memory stats.', FutureWarning, stacklevel=2)
    return reset_peak_memory_stats(device)


def memory_snapshot(mempool_id=None):
    if not cuda_available():
        _no_binding('_cuda_memorySnapshot')
    return []


def memory_summary(device=None, abbreviated=False):
    stats = memory_stats(device)
    if not stats:       # torch indexes the empty statistics and fails (matched)
        raise KeyError('allocated_bytes.all.current')
    mib = 1024 * 1024
    lines = ['faketorch CUDA memory summary (CuPy default pool)']
    for k, v in stats.items():
        lines.append(f'{k:<32} {v / mib:10.1f} MiB')
    return '\n'.join(lines)


def empty_cache():
    if cuda_available():
        _cupy().get_default_memory_pool().free_all_blocks()


# Memory-history recording (for torch's memory visualizer): CuPy's pool keeps no history, so on a
# GPU recording is accepted and the snapshots are empty; a CPU-only torch fails as below.
def _record_memory_history(enabled='all', context='all', stacks='all', max_entries=None, device=None, **kw):
    if not cuda_available():
        _no_binding('_cuda_record_memory_history')


def _snapshot(device=None):
    if not cuda_available():
        _no_binding('_cuda_memorySnapshot')
    return {'segments': [], 'device_traces': [[]]}


def _dump_snapshot(filename='dump_snapshot.pickle'):
    import pickle
    s = _snapshot()
    with open(filename, 'wb') as f:
        pickle.dump(s, f)
