"""python -m compat run script.py [args...]   run a torch script on faketorch
python -m compat diff script.py [args...]  run it on torch and on faketorch, diff the output
python -m compat inventory [--json FILE]   API-surface inventory against real torch
"""
import difflib
import importlib
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

from compat.alias import install

_REPO = str(Path(__file__).resolve().parent.parent)   # holds compat/ and faketorch/
_ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{8,}\b")         # id()s in default reprs


def run(script, args):
    """Like `python script.py args`, with `torch` aliased to faketorch."""
    install()
    importlib.import_module("faketorch")  # before sys.path[0] stops pointing at the repo
    path = os.path.abspath(script)   # python makes __main__.__file__ absolute too
    sys.argv = [script, *args]
    sys.path[0] = os.path.dirname(path)
    try:
        runpy.run_path(path, run_name="__main__")  # SystemExit propagates
    except Exception as e:
        # Report as `python script.py` would: drop our own and runpy's frames.
        tb = e.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != path:
            tb = tb.tb_next
        tb = tb or e.__traceback__
        sys.excepthook(type(e), e.with_traceback(tb), tb)
        return 1
    return 0


def _capture(cmd):
    env = dict(os.environ, PYTHONUNBUFFERED="1",  # keep stdout/stderr interleaved
               PYTHONPATH=os.pathsep.join(filter(None, [_REPO, os.environ.get("PYTHONPATH")])))
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                       text=True, errors="replace")
    text = _ADDRESS.sub("0x<address>", p.stdout)
    return (text + f"[exit status {p.returncode}]\n").splitlines(keepends=True)


def diff(script, args):
    """Print a unified diff of the script's output under torch and faketorch."""
    torch_out = _capture([sys.executable, script, *args])
    fake_out = _capture([sys.executable, "-m", "compat", "run", script, *args])
    lines = list(difflib.unified_diff(torch_out, fake_out, "torch", "faketorch"))
    if not lines:
        print("identical output")
        return 0
    sys.stdout.writelines(line if line.endswith("\n") else line + "\n" for line in lines)
    return 1


def inventory(args):
    import json
    from compat.inventory import format_table, inventory as compute
    if args and (args[0] != "--json" or len(args) != 2):
        return _usage()
    inv = compute()
    print(format_table(inv))
    if args:
        Path(args[1]).write_text(json.dumps(inv, indent=1) + "\n")
    return 0


def _usage():
    print(__doc__.strip(), file=sys.stderr)
    return 2


def main(argv):
    if len(argv) >= 2 and argv[0] == "run":
        return run(argv[1], argv[2:])
    if len(argv) >= 2 and argv[0] == "diff":
        return diff(argv[1], argv[2:])
    if argv[:1] == ["inventory"]:
        return inventory(argv[1:])
    return _usage()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
