"""@record: a torchrun entry point's decorator. torch writes the uncaught exception into the file
TORCHELASTIC_ERROR_FILE names, for the launcher's report; faketorch's launcher reports exit codes
only, so record writes that file (as JSON, as torch does) and re-raises."""
import functools
import json
import os
import time
import traceback

__all__ = ['ProcessFailure', 'ChildFailedError', 'record', 'ErrorHandler', 'get_error_handler']


class ErrorHandler:
    def initialize(self):
        pass

    def record_exception(self, e):
        path = os.environ.get('TORCHELASTIC_ERROR_FILE')
        if not path:
            return
        data = {'message': {'message': f'{type(e).__name__}: {e}', 'extraInfo': {
            'py_callstack': traceback.format_exc(), 'timestamp': str(int(time.time()))}}}
        with open(path, 'w') as f:
            json.dump(data, f)


def get_error_handler():
    return ErrorHandler()


def record(fn, error_handler=None):
    handler = error_handler or get_error_handler()

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        handler.initialize()
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            handler.record_exception(e)
            raise
    return wrapper


class ProcessFailure:
    def __init__(self, local_rank, pid, exitcode, error_file):
        self.local_rank, self.pid, self.exitcode, self.error_file = local_rank, pid, exitcode, error_file


class ChildFailedError(Exception):
    def __init__(self, name, failures):
        self.name, self.failures = name, failures
        super().__init__(f'{name} FAILED')
