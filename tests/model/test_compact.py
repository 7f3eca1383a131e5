"""model/compact.py: 8-bit n-gram kernels, saved small and loaded as the weights evaluated."""

import io
import zipfile

import h5py
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from model.artifact import MODEL_FILE, load_artifact, save_artifact
from model.compact import CompactDense, dequantize, quantize, round_kernels
from model.data import train_validation_split
from model.numpy_runtime import UnsupportedModel, load_model
from model.numpy_runtime.layers import LAYERS
from model.training import fit, predict_probabilities
from tests.model.helpers import quick_train, small_model

_floats = st.floats(-4.0, 4.0, allow_nan=False, width=32)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 40), st.integers(1, 5)), elements=_floats))
def test_rounding_moves_each_weight_by_at_most_half_a_step(kernel: np.ndarray) -> None:
    codes, scale = quantize(kernel)
    assert codes.dtype == np.int8 and scale.dtype == np.float32
    assert scale.shape == (kernel.shape[1],) and (scale > 0).all()
    assert np.abs(codes.astype(int)).max() <= 127
    error = np.abs(dequantize(codes, scale) - kernel)
    assert (error <= scale / 2 * (1 + 1e-5) + 1e-12).all()
    # Rounding twice changes nothing more (saving a rounded kernel is lossless).
    again = dequantize(*quantize(dequantize(codes, scale)))
    np.testing.assert_allclose(again, dequantize(codes, scale), rtol=1e-6, atol=0)


def test_a_kernel_holding_nan_is_refused() -> None:
    with pytest.raises(ValueError, match="NaN"):
        quantize(np.array([[0.5], [np.nan]], np.float32))


def test_a_column_of_zeros_keeps_scale_one() -> None:
    kernel = np.array([[0.0, 1.0], [0.0, -0.5]], np.float32)
    codes, scale = quantize(kernel)
    assert scale[0] == 1.0 and not codes[:, 0].any()
    np.testing.assert_array_equal(codes[:, 1], [127, -64])


@pytest.fixture(scope="module")
def fitted_int8(fixture_reviews):
    """The bigram network with its n-gram kernels in 8 bits, one epoch on the fixture."""
    train, validation = train_validation_split(fixture_reviews, 0.2, seed=3)
    config = small_model("bigram", kernel_storage="int8", wide=True, head="three_class")
    return fit(train, validation, config, quick_train(), verbose=0), validation


def _compact_layers(model) -> list[CompactDense]:  # noqa: ANN001
    found = []
    for layer in model.layers:
        if isinstance(layer, CompactDense):
            found.append(layer)
        elif hasattr(layer, "layers"):
            found.extend(_compact_layers(layer))
    return found


def test_rounded_weights_are_saved_and_loaded_exactly(fitted_int8, tmp_path) -> None:  # noqa: ANN001
    fitted, validation = fitted_int8
    assert round_kernels(fitted.model) == 2  # the hidden layer and the wide term
    texts = validation.texts + ["", "x" * 100_000, "build broken 💥 <@U1>"]
    before = predict_probabilities(fitted.model, texts)
    directory = save_artifact(fitted.model, tmp_path / "int8", {"architecture": "bigram"})
    loaded = load_artifact(directory).model
    for mine, theirs in zip(_compact_layers(fitted.model), _compact_layers(loaded), strict=True):
        np.testing.assert_allclose(theirs.kernel.numpy(), mine.kernel.numpy(), rtol=1e-6, atol=0)
    np.testing.assert_allclose(predict_probabilities(loaded, texts), before, rtol=0, atol=1e-6)
    # The NumPy runtime reads the same codes and scales.
    light, _, _ = load_model(directory).outputs(texts)
    np.testing.assert_allclose(light, predict_probabilities(loaded, texts), rtol=0, atol=1e-5)


def test_the_file_holds_8_bit_codes_and_deflated_members(fitted_int8, tmp_path) -> None:  # noqa: ANN001
    fitted, _ = fitted_int8
    directory = save_artifact(fitted.model, tmp_path / "file", {"architecture": "bigram"})
    with zipfile.ZipFile(directory / MODEL_FILE) as archive:
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}
        weights = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
    dtypes: dict[str, np.dtype] = {}

    def note(name: str, item: object) -> None:  # visititems stops at a value that is not None
        if isinstance(item, h5py.Dataset):
            dtypes[name] = item.dtype

    weights.visititems(note)
    int8 = [name for name, dtype in dtypes.items() if dtype == np.int8]
    assert len(int8) == 2 and all(name.endswith("vars/0") for name in int8), dtypes


def test_an_unrounded_kernel_loads_within_half_a_step(fixture_reviews, tmp_path) -> None:  # noqa: ANN001
    train, validation = train_validation_split(fixture_reviews, 0.2, seed=4)
    config = small_model("bigram", kernel_storage="int8")
    fitted = fit(train, validation, config, quick_train(), verbose=0)
    directory = save_artifact(fitted.model, tmp_path / "raw", {"architecture": "bigram"})
    (mine,) = _compact_layers(fitted.model)
    (theirs,) = _compact_layers(load_artifact(directory).model)
    _, scale = quantize(mine.kernel.numpy())
    assert (np.abs(theirs.kernel.numpy() - mine.kernel.numpy()) <= scale / 2 + 1e-7).all()


class _Stored:
    """Stands in for ``ModelArchive``: the saved variables of one layer."""

    def __init__(self, *arrays: np.ndarray) -> None:
        self.arrays = list(arrays)

    def weights(self, path: str, name: str) -> list[np.ndarray]:
        return self.arrays


_CODES = np.array([[1, -2], [127, 0]], np.int8)


@pytest.mark.parametrize(
    "arrays",
    [
        (_CODES,),  # the scale is missing
        (_CODES.astype(np.float32), np.ones(2, np.float32)),  # float kernel, not codes
        (_CODES, np.ones(3, np.float32)),  # a scale per column of another kernel
        (_CODES, np.ones(2, np.float32), np.zeros(2, np.float32)),  # a bias it has no use for
    ],
)
def test_the_numpy_runtime_refuses_damaged_8_bit_weights(arrays: tuple) -> None:
    config = {"name": "wide_logits", "use_bias": False, "units": 2}
    with pytest.raises(UnsupportedModel, match="unexpected saved weights"):
        LAYERS["CompactDense"](config, _Stored(*arrays), "layers/compact_dense")


def test_the_numpy_runtime_computes_codes_times_scale() -> None:
    config = {"name": "wide_logits", "use_bias": True, "units": 2}
    scale, bias = np.array([0.5, 0.25], np.float32), np.array([1.0, -1.0], np.float32)
    dense = LAYERS["CompactDense"](config, _Stored(_CODES, scale, bias), "layers/compact_dense")
    x = np.array([[1.0, 0.0], [0.0, 2.0]], np.float32)
    np.testing.assert_allclose(dense([x]), x @ (_CODES * scale) + bias)


class _Store(dict):
    """Keras' weights store for one layer, as a dict (``keys()`` and ``[]``)."""


@pytest.mark.parametrize(
    "store",
    [
        _Store({"0": _CODES}),  # the scale is missing
        _Store({"0": np.zeros((3, 2), np.int8), "1": np.ones(2, np.float32)}),  # another shape
    ],
)
def test_keras_refuses_damaged_8_bit_weights(store: _Store) -> None:
    layer = CompactDense(2, use_bias=False)
    layer.build((None, 2))
    with pytest.raises(ValueError, match="wide|expects|shape"):
        layer.load_own_variables(store)


def test_keras_loads_codes_times_scale() -> None:
    layer = CompactDense(2, use_bias=False)
    layer.build((None, 2))
    layer.load_own_variables(_Store({"0": _CODES, "1": np.array([0.5, 0.25], np.float32)}))
    np.testing.assert_allclose(layer.kernel.numpy(), _CODES * np.array([0.5, 0.25]))
