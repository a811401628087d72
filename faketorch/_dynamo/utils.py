"""torch._dynamo.utils: the counters scripts read (empty: nothing is ever compiled)."""
import collections

counters = collections.defaultdict(collections.Counter)
