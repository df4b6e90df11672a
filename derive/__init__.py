"""derive: symbolic derivations of machine-learning losses.

Each loss is built symbolically for a general number of classes ``n``,
differentiated and brought to closed form step by step, and verified; the same
:class:`Derivation` renders documents and NumPy code.
"""

__version__ = "0.1.0"

from .custom import from_expression
from .derivation import Derivation, LossSpec, Step

__all__ = ["Derivation", "LossSpec", "Step", "__version__", "from_expression"]
