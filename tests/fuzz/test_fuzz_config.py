"""Fuzz: any value for any config key, from config.toml or the environment, is either accepted
or refused with one line naming the key; never a traceback."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import ConfigError, Settings, load_settings

EXAMPLES = 300
KEYS = sorted(
    (section, key)
    for section, field in Settings.model_fields.items()
    for key in field.annotation.model_fields  # type: ignore[union-attr]
)
VALUES = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.sampled_from(["", "0", "-1", "inf", "nan", "9999999999d", "* * * * *", "UTC", "../x"]),
    st.lists(st.text(max_size=5), max_size=3),
)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(str(value), repr(value))
    return json.dumps(value, ensure_ascii=False)  # strings, lists, ints: TOML in JSON form


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(key=st.sampled_from(KEYS), value=VALUES)
def test_any_file_value_loads_or_is_one_line(
    tmp_path: Path, key: tuple[str, str], value: object
) -> None:
    section, name = key
    path = tmp_path / "config.toml"
    text = f"[{section}]\n{name} = {_toml_value(value)}\n"
    path.write_text(text, encoding="utf-8")
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        valid_toml = False
    else:
        valid_toml = True
    try:
        load_settings(path)
    except ConfigError as exc:
        message = str(exc)
        assert "\n" not in message
        assert name in message or not valid_toml, message


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    key=st.sampled_from(KEYS),
    value=st.text(
        st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30
    ),
)
def test_any_environment_value_loads_or_is_one_line(
    tmp_path: Path, key: tuple[str, str], value: str
) -> None:
    section, name = key
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv(f"SENTIBOT_{section.upper()}__{name.upper()}", value)
        try:
            load_settings(path)
        except ConfigError as exc:
            assert "\n" not in str(exc)
