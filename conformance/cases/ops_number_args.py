"""Binary ops given Python numbers where torch's argument parser takes them as tensors: add, sub, mul,
div and floor_divide compute on two numbers (torch.add(1, 2) is tensor(3)); the errors name the public
op (faketorch's tensor-only `_add` had leaked into them)."""
from conformance import check

for _op in ('add', 'sub', 'mul', 'div', 'floor_divide'):
    for _i, _args in enumerate([(1, 2), (1.5, 2), (3, 2.5), (True, False), (2, 1 + 2j)]):
        check(f'torch.{_op}', lambda torch, op=_op, args=_args: getattr(torch, op)(*args), name=f'numbers_{_i}')
for _op in ('add', 'sub', 'mul', 'div'):       # (floor_divide's parser lists its signatures instead)
    check(f'torch.{_op}', lambda torch, op=_op: getattr(torch, op)([1], [2]), name='lists')
    check(f'torch.{_op}', lambda torch, op=_op: getattr(torch, op)(1, [2]), name='number_list')
check('torch.add', lambda torch: (torch.add(1, 2, alpha=3), torch.sub(5, 2, alpha=2), torch.add(2 ** 40, 1),
                                  torch.add(0.1, 0.2).item()), name='numbers_alpha')
check('torch.div', lambda torch: (torch.div(7, 2, rounding_mode='floor'), torch.div(-7., 2, rounding_mode='trunc'),
                                  torch.div(7, torch.tensor([2., 3.]), rounding_mode='floor'),
                                  torch.div(-7, torch.tensor([2, 3]), rounding_mode='trunc')), name='numbers_rounding')
