"""torch.distributed.elastic: the names torchrun-launched scripts import (errors.record)."""
