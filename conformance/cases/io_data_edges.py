"""torch.save / torch.load and torch.utils.data edges found by fuzzing against torch: errors for
short, truncated and unwritable files, pickling failures, map_location results, legacy-format
interop, and default_collate's error for non-tensor elements."""
import io
import os
import pathlib
import tempfile

from conformance import case, check, outcomes

_TMP = tempfile.mkdtemp(prefix='io_data_edges_')
_WRITTEN = {}


def _path_written_by_reference(torch, key, build, **save_kw):
    """A file path saved by the first library to run this case (the reference: real torch)."""
    if torch.__name__ == 'torch' or key not in _WRITTEN:
        path = os.path.join(_TMP, f'{key}.pt')
        torch.save(build(torch), pathlib.Path(path), **save_kw)
        _WRITTEN[key] = path
    return _WRITTEN[key]


def _shared_views(torch):
    base = torch.arange(10.)
    return {'base': base, 'mid': base[2:6], 'grid': base.view(2, 5).t(), 'i8': torch.arange(4, dtype=torch.int8)}


@case('torch.load', name='io_data_edges_from_torch_legacy_format_file')
def from_torch_legacy_format_file(torch):
    loaded = torch.load(_path_written_by_reference(torch, 'legacy', _shared_views, _use_new_zipfile_serialization=False),
                        map_location='cpu')
    loaded['base'][3] = -1.                       # the views still share the base's memory
    return loaded


@case('torch.load', name='io_data_edges_zip_shorter_than_directory_record')
def zip_shorter_than_directory_record(torch):
    # miniz refuses anything shorter than an end-of-central-directory record before looking further
    return outcomes(*[lambda n=n: torch.load(io.BytesIO(b'PK\x03\x04' + b'\0' * n)) for n in (0, 17, 18, 40)])


@case('torch.load', name='io_data_edges_legacy_unexpected_kwarg')
def legacy_unexpected_kwarg(torch):
    buf = io.BytesIO()
    torch.save(torch.ones(2), buf, _use_new_zipfile_serialization=False)
    return outcomes(lambda: torch.load(io.BytesIO(buf.getvalue()), weights_only=True, bogus=1),
                    lambda: torch.load(io.BytesIO(buf.getvalue()), weights_only=False, bogus=1))


@case('torch.load', name='io_data_edges_legacy_truncated_storage')
def legacy_truncated_storage(torch):
    buf = io.BytesIO()
    torch.save(torch.ones(100), buf, _use_new_zipfile_serialization=False)
    data = buf.getvalue()
    return outcomes(*[lambda n=n: torch.load(io.BytesIO(data[:-n])) for n in (1, 150, 400, 403)])


@case('torch.save', name='io_data_edges_path_errors')
def path_errors(torch):
    missing = os.path.join(_TMP, 'no_such_dir')
    return outcomes(lambda: torch.save(1, os.path.join(missing, 'x.pt')),
                    lambda: torch.save(1, pathlib.Path(missing) / 'x.pt'),
                    lambda: torch.save(1, _TMP + '/'),
                    lambda: torch.save(1, ''),
                    lambda: torch.save(1, _TMP),
                    lambda: torch.save(1, os.path.join(missing, 'x.pt'), _use_new_zipfile_serialization=False),
                    lambda: torch.save(1, _TMP, _use_new_zipfile_serialization=False))


@case('torch.save', name='io_data_edges_local_objects')
def local_objects(torch):
    class Local:
        pass
    return outcomes(lambda: torch.save(lambda: 1, io.BytesIO()),
                    lambda: torch.save({'k': Local}, io.BytesIO()),
                    lambda: torch.save([Local()], io.BytesIO(), _use_new_zipfile_serialization=False))


@case('torch.load', name='io_data_edges_map_location_returns_non_storage')
def map_location_returns_non_storage(torch):
    buf = io.BytesIO()
    torch.save(torch.ones(2), buf)

    def load(result):
        return lambda: torch.load(io.BytesIO(buf.getvalue()), map_location=lambda storage, loc: result)
    return outcomes(load('cpu'), load(5), load(torch.ones(2)), load(torch.ones(2).untyped_storage()),
                    load(torch.ones(2).storage()), load(None))


check('utils.data.default_collate',
      lambda torch: outcomes(lambda: torch.utils.data.default_collate([torch.ones(2), 1]),
                             lambda: torch.utils.data.default_collate([torch.ones(2), __import__('numpy').ones(2)]),
                             lambda: torch.utils.data.DataLoader([{'a': torch.ones(1)}, {'a': None}], batch_size=2)
                             .__iter__().__next__(),
                             lambda: torch.stack([None, torch.ones(1)]), lambda: torch.cat([torch.ones(1), 'a'])),
      name='io_data_edges_non_tensor_element')
