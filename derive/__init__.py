"""derive: symbolic derivations of machine-learning losses.

Each loss is built symbolically for a general number of classes ``n``,
differentiated and brought to closed form step by step, and verified; the same
:class:`Derivation` renders documents and NumPy code.
"""

from .engine.derivation import Derivation, LossSpec, Step
from .language.custom import from_expression
from .version import __version__

__all__ = ["Derivation", "LossSpec", "Step", "__version__", "from_expression"]
