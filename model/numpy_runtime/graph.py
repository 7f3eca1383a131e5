"""Run a Keras functional model's layer graph from its ``config.json``, layer by layer.

``Graph`` builds one operation per layer (``model.numpy_runtime.layers.LAYERS``) and calls
them in the order of the config (Keras writes a functional model's layers in topological
order), passing each the outputs of the layers its inbound node names. A nested functional
model (the ``core`` of ``model.architectures``) is a ``Graph`` itself. Anything else (a
``Sequential`` model, a layer called twice, a layer with several outputs) is refused with
``UnsupportedModel``.
"""

from __future__ import annotations

from typing import Any

from model.numpy_runtime import text_layers  # noqa: F401  (registers the text layers)
from model.numpy_runtime.files import ModelArchive, UnsupportedModel, child_paths
from model.numpy_runtime.layers import LAYERS, Operation, check_float32

_TENSOR = "__keras_tensor__"
_IGNORED_KWARGS = ("training", "mask")  # inference: dropout off; masks must be None
_EXACT = ("ChatNormalize", "TextVectorization")  # strings and counts: no float precision


def _history(item: dict[str, Any]) -> str:
    name, node, index = item["config"]["keras_history"]
    # Every layer here is called once, so the node is that call (a nested functional model
    # numbers it 1: its node 0 links its own inputs to its outputs).
    if node not in (0, 1) or index != 0:
        raise UnsupportedModel(f"a layer output other than the first ({name} {node} {index})")
    return str(name)


def _references(args: Any) -> Any:
    """The inbound node's arguments with each Keras tensor replaced by its layer's name."""
    if isinstance(args, list):
        return [_references(a) for a in args]
    if isinstance(args, dict) and args.get("class_name") == _TENSOR:
        return ("ref", _history(args))
    raise UnsupportedModel(f"a layer argument that is not a tensor: {str(args)[:80]}")


def _resolve(refs: Any, values: dict[str, Any]) -> Any:
    if isinstance(refs, tuple):
        return values[refs[1]]
    return [_resolve(r, values) for r in refs]


def _nested(inner: Graph) -> Operation:
    """A nested model as an operation: its inputs come as one argument (a list if several)."""

    def call(inputs: list[Any]) -> Any:
        given = inputs[0]
        return inner(*given) if isinstance(given, list) else inner(given)

    return call


class Graph:
    """A functional model as numpy/Python operations.

    Parameters
    ----------
    config
        The model's entry in ``config.json`` (``class_name`` ``Functional``).
    archive
        Where the weights and assets are.
    path
        The model's storage path in the archive (``""`` for the outer model).
    """

    def __init__(self, config: dict[str, Any], archive: ModelArchive, path: str = "") -> None:
        if config.get("class_name") != "Functional":
            raise UnsupportedModel(f"a {config.get('class_name')} model (only functional ones)")
        body = config["config"]
        layers = body["layers"]
        self.vocabularies: list[list[str]] = []
        kinds = {layer["config"]["name"]: layer["class_name"] for layer in layers}
        self._words = next((name for name, kind in kinds.items() if kind == "ChatNormalize"), "")
        self._steps: list[tuple[str, Operation, Any]] = []
        for layer, where in zip(layers, child_paths(path, layers), strict=True):
            self._steps.append(self._step(layer, archive, where))
        inputs = body["input_layers"]
        inputs = [inputs] if inputs and isinstance(inputs[0], str) else inputs
        self._inputs = [_history({"config": {"keras_history": x}}) for x in inputs]
        outputs = body["output_layers"]
        if len(outputs) != 3 or isinstance(outputs[0], list):
            raise UnsupportedModel("a model with several outputs")
        self._output = _history({"config": {"keras_history": outputs}})

    def _step(self, layer: dict[str, Any], archive: ModelArchive, where: str) -> tuple:
        kind, config = layer["class_name"], layer["config"]
        name = config["name"]
        nodes = layer.get("inbound_nodes", [])
        if kind == "InputLayer":
            return name, lambda inputs: inputs[0], None
        if len(nodes) != 1:
            raise UnsupportedModel(f"layer {name!r} is called {len(nodes)} times")
        kwargs = nodes[0].get("kwargs", {})
        masks = kwargs.get("mask")
        masks = masks if isinstance(masks, list) else [masks]
        if set(kwargs) - set(_IGNORED_KWARGS) or kwargs.get("training") or any(masks):
            raise UnsupportedModel(f"layer {name!r} is called with {sorted(kwargs)}")
        if kind not in _EXACT:
            check_float32(config)  # mixed precision would round differently
        refs = _references(nodes[0]["args"])
        if kind == "Functional":
            inner = Graph(layer, archive, where)
            self.vocabularies += inner.vocabularies
            return name, _nested(inner), refs
        if kind not in LAYERS:
            raise UnsupportedModel(f"layer {name!r} of class {kind}")
        if kind == "TextVectorization" and config.get("split") == "whitespace":  # words only
            self.vocabularies.append(
                archive.asset(where, "vocabulary.txt").decode("utf-8").split("\n")
            )
        return name, LAYERS[kind](config, archive, where), refs

    def __call__(self, *inputs: Any) -> Any:
        """The model's output for its inputs (one per model input)."""
        return self._run(inputs)[self._output]

    def run_with_words(self, texts: list[str]) -> tuple[Any, list[str]]:
        """The output of a raw-text model and its ``ChatNormalize`` layer's (the words).

        Raises
        ------
        UnsupportedModel
            When the model has no ``ChatNormalize`` layer (serving needs the words).
        """
        if not self._words:
            raise UnsupportedModel("the model has no ChatNormalize layer")
        values = self._run((texts,))
        return values[self._output], values[self._words]

    def _run(self, inputs: tuple[Any, ...]) -> dict[str, Any]:
        if len(inputs) != len(self._inputs):
            raise ValueError(f"expected {len(self._inputs)} inputs, got {len(inputs)}")
        values: dict[str, Any] = dict(zip(self._inputs, inputs, strict=True))
        for name, operation, refs in self._steps:
            if refs is not None:  # (an input layer's value is given)
                values[name] = operation(_resolve(refs, values))
        return values
