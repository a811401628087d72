"""torch.distributed.launch, the deprecated launcher: run.py's launcher, which (without --use-env)
also passes ``--local-rank=N`` to each process."""
import sys
import warnings

from .run import main as _run


def main(args=None):
    warnings.warn('The module torch.distributed.launch is deprecated\nand will be removed in future. Use torchrun.\n'
                  'Note that --use-env is set by default in torchrun.\nIf your script expects `--local-rank` '
                  "argument to be set, please\nchange it to read from `os.environ['LOCAL_RANK']` instead. See \n"
                  'https://pytorch.org/docs/stable/distributed.html#launch-utility for \nfurther instructions\n',
                  FutureWarning, stacklevel=2)
    args = list(sys.argv[1:] if args is None else args)
    use_env = False
    for flag in ('--use-env', '--use_env'):
        if flag in args[:_script_index(args)]:
            args.remove(flag)
            use_env = True
    if '--no-python' in args[:_script_index(args)] and not use_env:
        raise ValueError("When using the '--no-python' flag, you must also set the '--use-env' flag.")
    return _run(args, use_env=use_env)


def _script_index(args):
    """Where the launcher's own options end: the first argument that is not an option."""
    i = 0
    while i < len(args) and args[i].startswith('-'):
        i += 1 if '=' in args[i] or args[i] in ('--standalone', '-m', '--module', '--no-python', '--no_python',
                                                '--use-env', '--use_env', '--run-path', '--run_path') else 2
    return i


if __name__ == '__main__':
    sys.exit(main())
