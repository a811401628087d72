"""torch.onnx.operators: shape helpers that trace as ONNX Shape/Reshape."""


def shape_as_tensor(x):
    from .. import tensor, int64
    return tensor(list(x.shape), dtype=int64)


def reshape_from_tensor_shape(x, shape):
    return x.reshape(shape.tolist())
