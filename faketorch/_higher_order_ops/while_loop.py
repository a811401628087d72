"""torch.while_loop, run eagerly: body_fn replaces the carried values while cond_fn holds."""

__all__ = ['while_loop']


def while_loop(cond_fn, body_fn, carried_inputs):
    result = carried = tuple(carried_inputs)
    while bool(cond_fn(*carried)):
        result = body_fn(*carried)
        carried = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    return result
