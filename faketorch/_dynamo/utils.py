"""torch._dynamo.utils: the counters scripts read (empty: nothing is ever compiled), and same(), the
accuracy check compile tests use to compare an eager result with a compiled one."""
import collections
import logging
import math

import numpy

counters = collections.defaultdict(collections.Counter)
log = logging.getLogger(__name__)


def rmse(ref, res):
    """Root mean squared error."""
    import faketorch
    return faketorch.sqrt(faketorch.mean(faketorch.square(ref - res)))


def same(ref, res, fp64_ref=None, cos_similarity=False, tol=1e-4, equal_nan=False, exact_dtype=True,
         relax_numpy_equality=False, ignore_non_fp=False, log_error=log.error,
         use_larger_multiplier_for_smaller_tensor=False, force_max_multiplier=False, use_iou_for_bool=False,
         iou_threshold=0.99):
    """Do ref and res match: nested sequences and dicts item by item, tensors and floats within tol (or,
    with a float64 reference, no further from it than a small multiple of ref's own error), the rest equal."""
    import faketorch
    opts = dict(cos_similarity=cos_similarity, tol=tol, equal_nan=equal_nan, exact_dtype=exact_dtype,
                relax_numpy_equality=relax_numpy_equality, ignore_non_fp=ignore_non_fp, log_error=log_error,
                use_larger_multiplier_for_smaller_tensor=use_larger_multiplier_for_smaller_tensor,
                force_max_multiplier=force_max_multiplier, use_iou_for_bool=use_iou_for_bool,
                iou_threshold=iou_threshold)
    if fp64_ref is None:
        fp64_ref = ref
    if isinstance(ref, (list, tuple, collections.deque, faketorch.nn.ParameterList, faketorch.Size)):
        if not isinstance(res, (list, tuple, collections.deque)):
            raise AssertionError(f"type mismatch {type(ref)} {type(res)}")
        if len(ref) != len(res):
            log_error("Length mismatch")
            return False
        return all(same(a, b, f, **opts) for a, b, f in zip(ref, res, fp64_ref))
    if isinstance(ref, dict):
        if not isinstance(res, dict):
            raise AssertionError(f"Expected res to be a dict, got {type(res)}")
        if set(ref.keys()) != set(res.keys()):
            raise AssertionError(f"keys mismatch {set(ref.keys())} == {set(res.keys())}")
        for k in sorted(ref.keys()):
            if not same(ref[k], res[k], fp64_ref[k], **opts):
                log_error("Accuracy failed for key name %s", k)
                return False
        return True
    if isinstance(ref, set):
        if not isinstance(res, set):
            raise AssertionError(f"Expected res to be a set, got {type(res)}")
        if set(ref) != set(res):
            raise AssertionError(f"elements mismatch {set(ref)} == {set(res)}")
        return True
    if isinstance(ref, (faketorch.Tensor, float)):
        return _same_tensor(*(t if isinstance(t, faketorch.Tensor) else faketorch.tensor(t)
                              for t in (ref, res, fp64_ref)), **opts)
    if isinstance(ref, (str, int, type(None), bool, faketorch.device)):
        if ignore_non_fp:
            return True
        r = ref == res
        if not r:
            log_error("Accuracy failed (%s): %s != %s", type(ref), ref, res)
        return r
    if isinstance(ref, (numpy.integer, numpy.floating)):
        if relax_numpy_equality and not isinstance(res, (numpy.integer, numpy.floating)):
            ref = ref.item()
        r = type(ref) is type(res) and ref == res
        if not r:
            log_error("Accuracy failed (numpy): %s != %s", ref, res)
        return r
    if isinstance(ref, numpy.ndarray):
        return type(ref) is type(res) and same(faketorch.as_tensor(ref), faketorch.as_tensor(res), fp64_ref,
                                               **opts)
    raise RuntimeError(f"unsupported type: {type(ref).__name__}")


def _same_tensor(ref, res, fp64_ref, *, cos_similarity, tol, equal_nan, exact_dtype, ignore_non_fp, log_error,
                 use_larger_multiplier_for_smaller_tensor, force_max_multiplier, use_iou_for_bool, iou_threshold,
                 **_):
    import faketorch
    if ref.is_sparse:
        if not res.is_sparse:
            raise AssertionError("Expected res to be sparse since ref is sparse")
        ref, res = ref.to_dense(), res.to_dense()
    if exact_dtype:
        if ref.dtype != res.dtype:
            log_error("dtype mismatch %s, %s", ref.dtype, res.dtype)
            return False
        if ref.dtype == faketorch.bool:
            if ignore_non_fp:
                return True
            if use_iou_for_bool:
                inter, union = (ref & res).sum().float(), (ref | res).sum().float()
                if union == 0:
                    return bool(inter == 0)
                iou = (inter / union).item()
                if iou < iou_threshold:
                    log_error("IoU accuracy failed: %.4f < %.2f (intersection=%d, union=%d, ref_sum=%d, res_sum=%d, "
                              "shape=%s)", iou, iou_threshold, int(inter.item()), int(union.item()),
                              int(ref.sum().item()), int(res.sum().item()), list(ref.shape))
                    return False
                return True
            r = faketorch.allclose(ref.to(dtype=faketorch.uint8), res.to(dtype=faketorch.uint8), atol=tol, rtol=tol,
                                   equal_nan=equal_nan)
            if not r:
                log_error("Accuracy failed: uint8 tensor did not match")
            return r
    if cos_similarity:
        ref, res = ref.flatten().to(faketorch.float32), res.flatten().to(faketorch.float32)
        if faketorch.allclose(ref, res, atol=tol, rtol=tol, equal_nan=True):
            return True
        score = faketorch.nn.functional.cosine_similarity(ref, res, dim=0, eps=1e-6)
        if score < 0.99:
            log.warning("Similarity score=%s", score.detach().cpu().item())
        return bool(score >= 0.99)
    if not exact_dtype:
        ref = ref.to(res.dtype)
    if faketorch.allclose(ref, res, atol=tol, rtol=tol, equal_nan=equal_nan):
        return True
    if fp64_ref.dtype == faketorch.float64:
        loose = 4e-2
        if not fp64_ref.isnan().any() and not res.isnan().any() and ref.isnan().any() and faketorch.allclose(
                fp64_ref.to(dtype=res.dtype), res, atol=loose, rtol=loose, equal_nan=equal_nan):
            return True
        ref_error = rmse(fp64_ref, ref).item()
        if math.isnan(ref_error):
            log.warning("Found nan in reference. Consider running in higher precision.")
        res_error = rmse(fp64_ref, res).item()
        if force_max_multiplier:
            multiplier = 10.0
        else:
            multiplier = 3.0 if res.dtype in (faketorch.float16, faketorch.bfloat16) else 2.0
            if use_larger_multiplier_for_smaller_tensor and fp64_ref.numel() <= 10:
                multiplier = 10.0
            elif use_larger_multiplier_for_smaller_tensor and fp64_ref.numel() <= 500:
                multiplier = 8.0
            elif fp64_ref.numel() < 1000 or (ref.ndim == 4 and ref.shape[-1] == ref.shape[-2] == 1) or tol >= 2e-2:
                multiplier = 3.0
        passes = res_error <= multiplier * ref_error + tol / 10.0
        if not passes:
            log_error("RMSE (res-fp64): %.5f, (ref-fp64): %.5f and shape=%s. res.dtype: %s, multiplier: %f, tol: %f"
                      ", use_larger_multiplier_for_smaller_tensor: %d", res_error, ref_error, res.size(), res.dtype,
                      multiplier, tol, use_larger_multiplier_for_smaller_tensor)
        return passes
    if ignore_non_fp:
        return True
    log_error("Accuracy failed: allclose not within tol=%s", tol)
    return False
