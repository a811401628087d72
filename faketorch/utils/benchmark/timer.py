"""Timer: time a Python statement (string or callable) the way torch's Timer does."""
import enum
import statistics
import timeit

from .common import Measurement, TaskSpec

__all__ = ['Timer', 'Language']


class Language(enum.Enum):
    PYTHON = 0
    CPP = 1


class Timer:
    def __init__(self, stmt='pass', setup='pass', global_setup='', timer=timeit.default_timer, globals=None,
                 label=None, sub_label=None, description=None, env=None, num_threads=1, language=Language.PYTHON):
        if not isinstance(stmt, str):
            raise ValueError("Currently only a `str` stmt is supported.")
        if language not in (Language.PYTHON, 'py', 'python'):
            raise ValueError("faketorch's Timer runs Python statements only")
        import faketorch
        g = dict(globals or {})
        g.setdefault('torch', faketorch)
        self._timer = timeit.Timer(stmt=stmt, setup=setup, timer=timer, globals=g)
        self._task_spec = TaskSpec(stmt=stmt, setup=setup, global_setup=global_setup, label=label,
                                   sub_label=sub_label, description=description, env=env, num_threads=num_threads)

    def _timeit(self, number):
        return self._timer.timeit(number=max(int(number), 1) if number else 0)

    def timeit(self, number=1000000):
        self._timeit(max(int(number // 100), 2))       # warm-up
        return Measurement(number_per_run=number, raw_times=[self._timeit(number)], task_spec=self._task_spec)

    def repeat(self, repeat=-1, number=-1):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def autorange(self, callback=None):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def _estimate_block_size(self, min_run_time):
        overhead = statistics.median(self._timeit(0) for _ in range(5))
        number = 1
        while True:
            taken = self._timeit(number)
            if (overhead / taken <= 1e-4 and taken >= min_run_time / 1000) or taken > min_run_time:
                return number
            if number * 10 > 2147483647:
                return number
            number *= 10

    def _loop(self, number, stop_hook, min_run_time, max_run_time=None, callback=None):
        total, times, can_stop = 0.0, [], False
        while total < min_run_time or not can_stop:
            spent = self._timeit(number)
            times.append(spent)
            total += spent
            if callback:
                callback(number, spent)
            can_stop = stop_hook(times)
            if max_run_time and total > max_run_time:
                break
        return times

    def blocked_autorange(self, callback=None, min_run_time=0.2):
        number = self._estimate_block_size(min_run_time)
        times = self._loop(number, lambda times: True, min_run_time, callback=callback)
        return Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)

    def adaptive_autorange(self, threshold=0.1, *, min_run_time=0.01, max_run_time=10.0, callback=None):
        number = self._estimate_block_size(min_run_time=0.05)

        def stop_hook(times):
            if len(times) > 3:
                m = Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)
                return m.meets_confidence(threshold=threshold)
            return False

        times = self._loop(number, stop_hook, min_run_time, max_run_time, callback=callback)
        return Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)
