"""torch.profiler: the profile context manager, record_function, schedules and trace export.

faketorch has no operator-level hooks, so a profile records only the `record_function` ranges
(user annotations) opened while it is active, with their wall-clock times. `key_averages().table()`
prints torch's table layout over those ranges; `export_chrome_trace` writes them as a Chrome trace
(valid JSON, torch's top-level keys). No aten::* rows, no memory or FLOP counts, no CUDA times.
"""
import enum
import json
import os
import socket
import time
import warnings

from .autograd import profiler as _autograd_profiler

__all__ = ['profile', 'record_function', 'ProfilerActivity', 'ProfilerAction', 'schedule',
           'tensorboard_trace_handler', 'supported_activities', 'EventList', 'FunctionEventAvg']


class ProfilerActivity(enum.Enum):
    CPU = 0
    XPU = 1
    CUDA = 2
    HPU = 3
    MTIA = 4
    PrivateUse1 = 5

    def __repr__(self):
        return f'<ProfilerActivity.{self.name}: {self.value}>'


class ProfilerAction(enum.Enum):
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3
    DEVICE_STOPPED = 4


def supported_activities():
    return {ProfilerActivity.CPU}


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError("Invalid profiler schedule arguments")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results")

    def schedule_fn(step):
        if step < 0:
            raise AssertionError(f"Step should be non-negative, got {step}")
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait and step >= wait:    # the wait phase happens once, at the start
            step += wait
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod = step % num_steps
        if mod < wait:
            return ProfilerAction.NONE
        if mod < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if mod < num_steps - 1 else ProfilerAction.RECORD_AND_SAVE

    return schedule_fn


def _default_schedule_fn(_):
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    def handler_fn(prof):
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f'{socket.gethostname()}_{os.getpid()}'
        name = f'{worker}.{time.time_ns() // 1000000}.pt.trace.json' + ('.gz' if use_gzip else '')
        prof.export_chrome_trace(os.path.join(dir_name, name))
    return handler_fn


# --- recording ------------------------------------------------------------------------------------
_active = []     # profiles that are recording now
_warned = set()
_CLEARS_EVENTS = ("Warning: Profiler clears events at the end of each cycle. Only events from the current cycle "
                  "will be reported. To keep events across cycles, set acc_events=True.")


class _Event:
    __slots__ = ('name', 'start_ns', 'end_ns', 'depth', 'children_ns')

    def __init__(self, name, depth):
        self.name, self.depth, self.children_ns = name, depth, 0
        self.start_ns = time.perf_counter_ns()
        self.end_ns = None


class record_function(_autograd_profiler.record_function):
    """Marks a range in every active profile; also a decorator."""

    def __enter__(self):
        # a stack: the same object re-enters when it decorates a recursive function
        self.__dict__.setdefault('_open', []).append([(p, p._open(self.name)) for p in _active])
        return self

    def __exit__(self, *exc):
        for p, ev in self._open.pop():
            p._close(ev)
        return False


class FunctionEventAvg:
    def __init__(self, key):
        self.key, self.count = key, 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0      # microseconds, as torch
        self.device_time_total = self.self_device_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0
        self.device_memory_usage = self.self_device_memory_usage = 0
        self.input_shapes = self.stack = None
        self.is_user_annotation = True
        self.node_id = -1

    def add(self, event):
        self.count += 1
        self.cpu_time_total += (event.end_ns - event.start_ns) / 1000
        self.self_cpu_time_total += (event.end_ns - event.start_ns - event.children_ns) / 1000
        return self

    @property
    def cpu_time(self):
        return self.cpu_time_total / self.count if self.count else 0.0

    cuda_time = device_time = property(lambda self: 0.0)

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={_fmt_us(self.self_cpu_time_total)} "
                f"cpu_time={_fmt_us(self.cpu_time)}  self_device_time=0.000us device_time=0.000us "
                f"input_shapes={self.input_shapes} cpu_memory_usage={self.cpu_memory_usage} "
                f"device_memory_usage={self.device_memory_usage}>")


def _fmt_us(us):
    if us >= 1e6:
        return f'{us / 1e6:.3f}s'
    if us >= 1e3:
        return f'{us / 1e3:.3f}ms'
    return f'{us:.3f}us'


_SORT_KEYS = {'cpu_time_total': 'cpu_time_total', 'self_cpu_time_total': 'self_cpu_time_total',
              'cpu_time': 'cpu_time', 'count': 'count', 'cuda_time_total': 'device_time_total',
              'device_time_total': 'device_time_total', 'self_cuda_time_total': 'self_device_time_total',
              'self_device_time_total': 'self_device_time_total', 'cpu_memory_usage': 'cpu_memory_usage',
              'self_cpu_memory_usage': 'self_cpu_memory_usage'}


class EventList(list):
    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False, time_unit=None):
        rows = list(self)
        if sort_by is not None:
            attr = _SORT_KEYS.get(sort_by, sort_by)
            rows.sort(key=lambda e: getattr(e, attr), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        total = sum(e.self_cpu_time_total for e in self) or 1.0
        name_w = min(max([len(e.key) for e in rows] + [4]) + 4, max_name_column_width + 4)
        cols = ['Self CPU %', 'Self CPU', 'CPU total %', 'CPU total', 'CPU time avg', '# of Calls']
        widths = [name_w] + [12] * len(cols)
        sep = ''.join('-' * w + '  ' for w in widths)

        def line(values):
            return ''.join(str(v).rjust(w) + '  ' for v, w in zip(values, widths))

        out = []
        if header:
            out += ['=' * len(sep), header]
        out += [sep, line(['Name'] + cols), sep]
        for e in rows:
            name = e.key if len(e.key) <= max_name_column_width else e.key[:max_name_column_width - 3] + '...'
            out.append(line([name, f'{100 * e.self_cpu_time_total / total:.2f}%', _fmt_us(e.self_cpu_time_total),
                             f'{100 * e.cpu_time_total / total:.2f}%', _fmt_us(e.cpu_time_total),
                             _fmt_us(e.cpu_time), e.count]))
        out += [sep, f'Self CPU time total: {_fmt_us(sum(e.self_cpu_time_total for e in self))}', '']
        return '\n'.join(out)

    def __str__(self):
        return self.table()

    def total_average(self):
        avg = FunctionEventAvg('Total')
        for e in self:
            avg.count += e.count
            avg.cpu_time_total += e.cpu_time_total
            avg.self_cpu_time_total += e.self_cpu_time_total
        return avg


class profile:
    """torch.profiler.profile; records record_function ranges only (see the module docstring)."""

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None, acc_events=False,
                 use_cuda=None, custom_trace_id_callback=None, post_processing_timeout_s=None):
        self.activities = set(activities) if activities else supported_activities()
        self.schedule = schedule or _default_schedule_fn
        self.on_trace_ready = on_trace_ready
        self.record_shapes, self.profile_memory, self.with_stack = record_shapes, profile_memory, with_stack
        self.with_flops, self.with_modules, self.acc_events = with_flops, with_modules, acc_events
        self.step_num = 0
        self.current_action = self.schedule(0)
        self._events, self._open_events, self._finished = [], [], []
        self._recording = self._started_once = False

    # ranges
    def _open(self, name):
        ev = _Event(name, len(self._open_events))
        self._open_events.append(ev)
        return ev

    def _close(self, ev):
        ev.end_ns = time.perf_counter_ns()
        if ev in self._open_events:
            self._open_events.remove(ev)
            if self._open_events:
                self._open_events[-1].children_ns += ev.end_ns - ev.start_ns
            self._events.append(ev)

    # recording state driven by the schedule
    def _start_recording(self):
        if self._started_once and not self.acc_events and _CLEARS_EVENTS not in _warned:
            _warned.add(_CLEARS_EVENTS)
            warnings.warn(_CLEARS_EVENTS, stacklevel=2)
        self._started_once = True
        if not self._recording:
            self._recording = True
            self._events = [] if not self.acc_events else self._events
            _active.append(self)

    def _stop_recording(self):
        if self._recording:
            self._recording = False
            _active.remove(self)
            self._finished = list(self._events)

    def _transition(self, prev, cur):
        if self._recording and (prev == ProfilerAction.RECORD_AND_SAVE or cur == ProfilerAction.NONE):
            self._stop_recording()
            if prev in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE) and self.on_trace_ready:
                self.on_trace_ready(self)
        if cur != ProfilerAction.NONE and not self._recording:
            self._start_recording()
        if prev == ProfilerAction.WARMUP and cur in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE):
            self._events = []       # what warm-up recorded is dropped

    def start(self):
        self._transition(ProfilerAction.NONE, self.current_action)

    def stop(self):
        self._transition(self.current_action, ProfilerAction.NONE)
        self.current_action = ProfilerAction.NONE

    def step(self):
        prev = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        self._transition(prev, self.current_action)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    # results
    def events(self):
        return EventList(self._finished if not self._recording else self._events)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, group_by_overload_name=False):
        avgs = {}
        for ev in sorted(self.events(), key=lambda e: e.start_ns):
            avgs.setdefault(ev.name, FunctionEventAvg(ev.name)).add(ev)
        return EventList(avgs.values())

    def export_chrome_trace(self, path):
        evs = sorted(self.events(), key=lambda e: e.start_ns)
        base = evs[0].start_ns if evs else 0
        trace = {'schemaVersion': 1, 'deviceProperties': [], 'trace_id': None,
                 'record_shapes': int(self.record_shapes), 'host_name': socket.gethostname(),
                 'displayTimeUnit': 'ms', 'baseTimeNanoseconds': base,
                 'traceEvents': [{'ph': 'X', 'cat': 'user_annotation', 'name': e.name, 'pid': os.getpid(),
                                  'tid': os.getpid(), 'ts': (e.start_ns - base) / 1000,
                                  'dur': (e.end_ns - e.start_ns) / 1000, 'args': {}} for e in evs],
                 'traceName': path}
        with open(path, 'w') as f:
            json.dump(trace, f, indent=1)

    def export_stacks(self, path, metric='self_cpu_time_total'):
        with open(path, 'w'):
            pass

    def export_memory_timeline(self, path, device=None):
        raise NotImplementedError("faketorch's profiler records no memory timeline")

    def add_metadata(self, key, value):
        pass

    def add_metadata_json(self, key, value):
        pass


# torch.autograd.profiler.record_function is this same class in torch: once this module is loaded,
# ranges opened through either name are recorded
_autograd_profiler.record_function = record_function
