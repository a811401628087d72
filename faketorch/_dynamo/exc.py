"""torch._dynamo.exc: the exceptions a script may catch."""


class TorchDynamoException(RuntimeError):
    pass


class InvalidBackend(TorchDynamoException):
    def __init__(self, name):
        super().__init__(f"Invalid backend: {name!r}, see `torch._dynamo.list_backends()` for available backends.")


class Unsupported(TorchDynamoException):
    pass


class UserError(TorchDynamoException):
    """What torch.export raises for a wrong call (bad args, dynamic_shapes, violated constraints)."""
