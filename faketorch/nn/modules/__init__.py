"""torch.nn.modules: one file per family, as torch."""
from .module import Module
from .lazy import LazyModuleMixin
from .linear import Identity, Linear, Bilinear, LazyLinear
from .container import Container, Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .sparse import Embedding, EmbeddingBag
from .flatten import Flatten, Unflatten
from .distance import PairwiseDistance, CosineSimilarity
from .channelshuffle import ChannelShuffle
# part B's families
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .batchnorm import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .instancenorm import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
from .upsampling import *  # noqa: F401,F403
from .pixelshuffle import *  # noqa: F401,F403
from .fold import *  # noqa: F401,F403
from .adaptive import AdaptiveLogSoftmaxWithLoss
