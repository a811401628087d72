"""libstdc++'s std::sort, std::nth_element and std::partial_sort, step for step.

torch's CPU sort (stable=False), topk and mode call these algorithms, which are not stable: which of
several equal elements ends up where is decided by their exact sequence of comparisons and swaps. To
match torch's indices when there are ties, faketorch replays them on a Python list `a` of
(key, index) pairs compared by key with `<`, over the half-open range [first, last). A comparator
other than `<` is expressed through the keys (ranks, negated for "greater").
Only rows with ties need this; everything else takes NumPy's stable sort, which agrees there.
"""
import numpy as np

_THRESHOLD = 16         # libstdc++'s _S_threshold: below this, introsort hands over to insertion sort


def _lg(n):
    return n.bit_length() - 1


def sort(a, first=0, last=None):
    last = len(a) if last is None else last
    if last - first > 0:
        _introsort_loop(a, first, last, 2 * _lg(last - first))
        _final_insertion_sort(a, first, last)


def nth_element(a, nth, first=0, last=None):
    last = len(a) if last is None else last
    if first == last or nth == last:
        return
    depth = 2 * _lg(last - first)
    while last - first > 3:
        if depth == 0:
            _heap_select(a, first, nth + 1, last)
            a[first], a[nth] = a[nth], a[first]
            return
        depth -= 1
        cut = _partition_pivot(a, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last)


def partial_sort(a, middle, first=0, last=None):
    last = len(a) if last is None else last
    _heap_select(a, first, middle, last)
    _sort_heap(a, first, middle)


def _introsort_loop(a, first, last, depth):
    while last - first > _THRESHOLD:
        if depth == 0:
            partial_sort(a, last, first, last)
            return
        depth -= 1
        cut = _partition_pivot(a, first, last)
        _introsort_loop(a, cut, last, depth)
        last = cut


def _partition_pivot(a, first, last):
    mid = first + (last - first) // 2
    x, y, z = first + 1, mid, last - 1         # the median of three goes to `first`
    A, B, C = a[x], a[y], a[z]
    if A[0] < B[0]:
        m = y if B[0] < C[0] else (z if A[0] < C[0] else x)
    else:
        m = x if A[0] < C[0] else (z if B[0] < C[0] else y)
    a[first], a[m] = a[m], a[first]
    pivot = a[first]
    lo, hi = first + 1, last
    while True:
        while a[lo][0] < pivot[0]:
            lo += 1
        hi -= 1
        while pivot[0] < a[hi][0]:
            hi -= 1
        if not lo < hi:
            return lo
        a[lo], a[hi] = a[hi], a[lo]
        lo += 1


def _insertion_sort(a, first, last):
    for i in range(first + 1, last):
        v = a[i]
        if v[0] < a[first][0]:
            a[first + 1:i + 1] = a[first:i]
            a[first] = v
        else:
            _linear_insert(a, i)


def _linear_insert(a, last):
    v = a[last]
    nxt = last - 1
    while v[0] < a[nxt][0]:
        a[last] = a[nxt]
        last = nxt
        nxt -= 1
    a[last] = v


def _final_insertion_sort(a, first, last):
    if last - first > _THRESHOLD:
        _insertion_sort(a, first, first + _THRESHOLD)
        for i in range(first + _THRESHOLD, last):
            _linear_insert(a, i)
    else:
        _insertion_sort(a, first, last)


def _adjust_heap(a, first, hole, length, value):
    top = child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if a[first + child][0] < a[first + child - 1][0]:
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if length & 1 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2                    # __push_heap
    while hole > top and a[first + parent][0] < value[0]:
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = value


def _make_heap(a, first, last):
    n = last - first
    if n < 2:
        return
    parent = (n - 2) // 2
    while True:
        _adjust_heap(a, first, parent, n, a[first + parent])
        if parent == 0:
            return
        parent -= 1


def _pop_heap(a, first, last, result):
    v = a[result]
    a[result] = a[first]
    _adjust_heap(a, first, 0, last - first, v)


def _heap_select(a, first, middle, last):
    _make_heap(a, first, middle)
    for i in range(middle, last):
        if a[i][0] < a[first][0]:
            _pop_heap(a, first, middle, i)


def _sort_heap(a, first, last):
    while last - first > 1:
        last -= 1
        _pop_heap(a, first, last, last)


def rank_keys(row, descending):
    """Integer keys whose `<` is torch's sort comparator: NaN above everything, -0.0 == 0.0."""
    _, inv = np.unique(row, return_inverse=True, equal_nan=True)
    keys = inv.reshape(-1).tolist()
    return [-k for k in keys] if descending else keys


def has_ties(x):
    """Rows (last axis) with two equal elements, NaNs counting as equal."""
    if x.shape[-1] < 2:
        return np.zeros(x.shape[:-1], bool)
    s = np.sort(x, axis=-1)
    same = s[..., 1:] == s[..., :-1]
    if s.dtype.kind in 'fc':
        same |= np.isnan(s[..., 1:]) & np.isnan(s[..., :-1])
    return same.any(-1)
