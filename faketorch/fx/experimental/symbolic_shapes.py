"""torch.fx.experimental.symbolic_shapes: faketorch has no symbolic shapes; the error torch.export raises
for an example input outside its Dim's range lives here, as in torch."""


class ConstraintViolationError(RuntimeError):
    pass
