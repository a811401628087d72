"""torch.utils.data.backward_compatibility: a deprecated no-op worker_init_fn."""
import warnings


def worker_init_fn(worker_id):
    warnings.warn('Usage of `backward_compatibility.worker_init_fn` is deprecated as `DataLoader` automatically '
                  'applies sharding in every worker', FutureWarning, stacklevel=2)
