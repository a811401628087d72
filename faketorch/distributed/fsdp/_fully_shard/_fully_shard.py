"""fully_shard (FSDP2): not yet implemented."""
from ..._stubs import not_implemented


class FSDPModule:
    pass


fully_shard = not_implemented('fully_shard')
