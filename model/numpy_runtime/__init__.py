"""A TensorFlow-free runtime for saved models: NumPy and Python only.

``sentibot score "x"`` with TensorFlow spends most of its seconds importing TensorFlow. This
package reads the same ``.keras`` file (``config.json``, the HDF5 weights and the assets, with
``zipfile`` and ``h5py``) and computes what the exported serving signature returns
(``model.export``), so one-shot commands start in a fraction of the time and memory.

- ``files``: the metadata checks and the archive reader;
- ``chat``: ``ChatNormalize``'s RE2 patterns translated for Python's ``re``;
- ``layers`` / ``text_layers``: one builder per supported Keras layer class (``LAYERS``);
- ``graph``: runs a functional model's layer graph from ``config.json``;
- ``scorer``: ``NumpyScorer``, a scorer like ``model.service.Scorer``.

A model with a layer or setting this runtime does not compute raises ``UnsupportedModel`` at
load time, and the caller runs it in TensorFlow (``bot.factories``): never a wrong score.
"""

from model.numpy_runtime.files import UnsupportedModel
from model.numpy_runtime.scorer import NumpyModel, NumpyScorer, load_model

__all__ = ["NumpyModel", "NumpyScorer", "UnsupportedModel", "load_model"]
