"""DDP communication hooks: hook(state, bucket) returns a Future of the bucket's reduced buffer.
state is the process group to use (None: the default group)."""
from ... import distributed_c10d as _c10d

__all__ = ['allreduce_hook', 'fp16_compress_hook', 'bf16_compress_hook']


def _group(process_group):
    return process_group if process_group is not None else _c10d.group.WORLD


def _mean(process_group, tensor):
    """The tensor divided by the group's size (in place), then summed over the group."""
    group = _group(process_group)
    tensor.div_(group.size())
    work = _c10d.all_reduce(tensor, group=group, async_op=True)
    return work.get_future().then(lambda fut: fut.value()[0])


def allreduce_hook(process_group, bucket):
    """What DDP does without a hook, except that the buffer is divided (not multiplied by the
    reciprocal) before the sum."""
    return _mean(process_group, bucket.buffer())


def _compressed(dtype, process_group, bucket):
    group = _group(process_group)
    buffer = bucket[0] if isinstance(bucket, tuple) else bucket.buffer()
    small = buffer.to(dtype).div_(group.size())

    def decompress(fut):
        buffer.copy_(fut.value()[0])
        return buffer
    return _c10d.all_reduce(small, group=group, async_op=True).get_future().then(decompress)


def fp16_compress_hook(process_group, bucket):
    """The bucket cast to float16 and divided by the group's size, summed, cast back."""
    import faketorch
    return _compressed(faketorch.float16, process_group, bucket)


def bf16_compress_hook(process_group, bucket):
    """As fp16_compress_hook, in bfloat16."""
    import faketorch
    return _compressed(faketorch.bfloat16, process_group, bucket)
