"""torchrun on one machine: ``python -m faketorch.distributed.run --nproc_per_node=N script.py args``
starts N processes of ``python script.py args`` with the variables torchrun sets (RANK, LOCAL_RANK,
WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT, GROUP_RANK, ROLE_RANK, TORCHELASTIC_*), so
that ``init_process_group()`` (env://) joins them. Only one node; no restarts or elastic
membership. The script's own ``import`` decides which library it uses (``import faketorch as
torch``, or ``torch`` where that name is faketorch)."""
import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import uuid


def _parser():
    p = argparse.ArgumentParser(prog='torchrun', description='Torch Distributed Elastic Training Launcher '
                                '(faketorch: one node)')
    p.add_argument('--nproc-per-node', '--nproc_per_node', default='1')
    p.add_argument('--nnodes', default='1:1')
    p.add_argument('--node-rank', '--node_rank', type=int, default=0)
    p.add_argument('--master-addr', '--master_addr', default='127.0.0.1')
    p.add_argument('--master-port', '--master_port', type=int, default=29500)
    p.add_argument('--standalone', action='store_true')
    p.add_argument('--rdzv-backend', '--rdzv_backend', default='static')
    p.add_argument('--rdzv-endpoint', '--rdzv_endpoint', default='')
    p.add_argument('--rdzv-id', '--rdzv_id', default='none')
    p.add_argument('--max-restarts', '--max_restarts', type=int, default=0)
    p.add_argument('--run-path', '--run_path', action='store_true')
    p.add_argument('-m', '--module', action='store_true')
    p.add_argument('--no-python', '--no_python', action='store_true')
    p.add_argument('training_script')
    p.add_argument('training_script_args', nargs=argparse.REMAINDER)
    return p


def _nproc(value):
    if value in ('cpu', 'auto'):
        return os.cpu_count() or 1
    if value == 'gpu':
        raise ValueError('Cuda is not available.')
    return int(value)


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def main(argv=None, use_env=True):
    args = _parser().parse_args(argv)
    if args.nnodes not in ('1', '1:1'):
        raise SystemExit('faketorch.distributed.run starts the processes of one node only (--nnodes=1)')
    n = _nproc(args.nproc_per_node)
    addr, port = args.master_addr, args.master_port
    if args.standalone:
        addr, port = 'localhost', _free_port()
    elif args.rdzv_endpoint:
        host, _, p = args.rdzv_endpoint.rpartition(':')
        addr, port = host or addr, int(p) if p else port
    if args.no_python:
        cmd = [args.training_script]
    elif args.module:
        cmd = [sys.executable, '-u', '-m', args.training_script]
    else:
        cmd = [sys.executable, '-u', args.training_script]
    cmd += args.training_script_args
    if not use_env:       # torch.distributed.launch without --use-env passes --local-rank=N
        at = 1 if args.no_python else 3 + args.module
        cmd = cmd[:at] + ['--local-rank={local_rank}'] + cmd[at:]
    run_id = args.rdzv_id if args.rdzv_id != 'none' or not args.standalone else str(uuid.uuid4())
    if n > 1 and 'OMP_NUM_THREADS' not in os.environ:
        print('*' * 49 + '\nSetting OMP_NUM_THREADS environment variable for each process to be 1 in default, '
              'to avoid your system being overloaded, please further tune the variable for optimal '
              'performance in your application as needed. \n' + '*' * 49, file=sys.stderr)
    procs = []
    for local_rank in range(n):
        env = dict(os.environ, RANK=str(local_rank), LOCAL_RANK=str(local_rank), WORLD_SIZE=str(n),
                   LOCAL_WORLD_SIZE=str(n), GROUP_RANK='0', ROLE_RANK=str(local_rank), ROLE_WORLD_SIZE=str(n),
                   ROLE_NAME='default', GROUP_WORLD_SIZE='1', MASTER_ADDR=addr, MASTER_PORT=str(port),
                   TORCHELASTIC_RUN_ID=run_id, TORCHELASTIC_RESTART_COUNT='0',
                   TORCHELASTIC_MAX_RESTARTS=str(args.max_restarts), TORCH_NCCL_ASYNC_ERROR_HANDLING='1')
        if n > 1:
            env.setdefault('OMP_NUM_THREADS', '1')
        procs.append(subprocess.Popen([c.format(local_rank=local_rank) if c == '--local-rank={local_rank}' else c
                                       for c in cmd], env=env))
    failed = None
    try:
        while failed is None and any(p.poll() is None for p in procs):
            failed = next((i for i, p in enumerate(procs) if p.poll() not in (None, 0)), None)
            time.sleep(0.05)
        if failed is None:
            failed = next((i for i, p in enumerate(procs) if p.returncode != 0), None)
    except KeyboardInterrupt:
        for p in procs:
            p.send_signal(signal.SIGINT)
        raise
    if failed is not None:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            p.wait()
        code = procs[failed].returncode
        print(f'{" ".join(cmd)} FAILED: local_rank {failed} exited with code {code}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
