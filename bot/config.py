"""The application's settings: ``config.toml`` overlaid by ``SENTIBOT_<SECTION>__<KEY>``.

Secrets (platform tokens) are read from their own environment variables only and are held as
``SecretStr`` so they never reach a log line or a repr.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import ClassVar, Literal, get_origin
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.reports.crontab import validate_cron
from model.config import DataConfig, ModelConfig, ScoringConfig, Section, TrainConfig
from storage.config import PrivacyConfig, StorageConfig

DEFAULT_CONFIG = Path("config.toml")


class ConfigError(Exception):
    """A configuration problem, described in one line."""


class BotConfig(Section):
    adapter: Literal["auto", "shell", "slack", "discord"] = "auto"
    rate_limit_per_minute: int = Field(20, ge=1)
    shell_channel: str = "local"


class SlackConfig(Section):
    mode: Literal["socket", "http"] = "socket"
    host: str = "0.0.0.0"  # HTTP mode's interface; 127.0.0.1 behind a reverse proxy on the host
    port: int = Field(3000, ge=1, le=65535)
    api_base_url: str = "https://slack.com/api/"


class DiscordConfig(Section):
    guild_ids: list[int] = []
    shard_count: int | None = Field(None, ge=1)
    shard_ids: list[int] = []


class AdminsConfig(Section):
    slack: list[str] = []
    discord: list[int] = []


class ReportsConfig(Section):
    cron: str = "0 9 * * *"
    timezone: str = "UTC"
    min_messages: int = Field(5, ge=1)
    chart_dir: Path = Path("var/charts")

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return validate_cron(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            hint = "use an IANA name like Europe/Paris"
            raise ValueError(f"unknown time zone {value!r}: {hint}") from None
        return value


class AlertsConfig(Section):
    enabled: bool = True
    window_hours: float = Field(6.0, gt=0)
    baseline_days: float = Field(7.0, gt=0)
    drop: float = Field(0.2, gt=0, le=1)
    min_messages: int = Field(20, ge=1)
    channel: str = ""


class OpsConfig(Section):
    host: str = "0.0.0.0"  # in a container the probe comes from outside; 127.0.0.1 on a host
    port: int = Field(0, ge=0, le=65535)
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    shutdown_timeout_s: float = Field(10.0, gt=0)

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if not isinstance(logging.getLevelName(value.upper()), int):
            raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value.upper()


class DashboardConfig(Section):
    enabled: bool = False  # `sentibot run` serves it too, on its own port
    host: str = "127.0.0.1"  # behind a reverse proxy with TLS for anyone else (docs/deploy.md)
    port: int = Field(8765, ge=0, le=65535)
    public_url: str = ""  # the address people open (https://mood.example.org); links use it
    poll_seconds: int = Field(15, ge=2, le=3600)


class Secrets:
    """Platform tokens, from the environment only."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ

        def get(name: str) -> SecretStr | None:
            value = env.get(name, "").strip()
            return SecretStr(value) if value else None

        self.slack_bot_token = get("SLACK_BOT_TOKEN")
        self.slack_app_token = get("SLACK_APP_TOKEN")
        self.slack_signing_secret = get("SLACK_SIGNING_SECRET")
        self.discord_token = get("DISCORD_TOKEN")
        self.dashboard_secret = get("SENTIBOT_DASHBOARD_SECRET")

    def __repr__(self) -> str:  # never show values
        present = [k for k, v in vars(self).items() if v is not None]
        return f"Secrets(present={present})"


class _Environment(EnvSettingsSource):
    """``SENTIBOT_<SECTION>__<KEY>``: a list may be JSON (``["en", "fr"]``) or ``en,fr``."""

    def decode_complex_value(
        self, field_name: str, field: FieldInfo | None, value: object
    ) -> object:
        try:
            return super().decode_complex_value(field_name, field, value)  # type: ignore[arg-type]
        except ValueError:
            if (
                field is not None
                and get_origin(field.annotation) is list
                and isinstance(value, str)
            ):
                return [part.strip() for part in value.split(",") if part.strip()]
            raise


ENV_PREFIX = "SENTIBOT_"


class Settings(BaseSettings):
    """Every section of ``config.toml``; environment variables win over the file."""

    model_config = SettingsConfigDict(
        env_prefix="SENTIBOT_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_assignment=True,
    )

    data: DataConfig = DataConfig()
    model: ModelConfig = ModelConfig()
    train: TrainConfig = TrainConfig()
    scoring: ScoringConfig = ScoringConfig()
    storage: StorageConfig = StorageConfig()
    privacy: PrivacyConfig = PrivacyConfig()
    bot: BotConfig = BotConfig()
    slack: SlackConfig = SlackConfig()
    discord: DiscordConfig = DiscordConfig()
    admins: AdminsConfig = AdminsConfig()
    reports: ReportsConfig = ReportsConfig()
    alerts: AlertsConfig = AlertsConfig()
    ops: OpsConfig = OpsConfig()
    dashboard: DashboardConfig = DashboardConfig()

    _toml_file: ClassVar[Path | None] = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, _Environment(settings_cls)]
        if cls._toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls._toml_file))
        return tuple(sources)


def _env_name(loc: tuple[object, ...]) -> str | None:
    """The environment variable that set the key at ``loc``, when one did."""
    if len(loc) < 2:
        return None
    wanted = f"{ENV_PREFIX}{loc[0]}__{loc[1]}".upper()
    return next((name for name in os.environ if name.upper() == wanted), None)


def _source(error: ValidationError, toml: Path | None) -> str:
    """Where the first bad value came from: the environment variable, or the file."""
    env = _env_name(tuple(error.errors()[0]["loc"]))
    return f"environment variable {env}" if env else str(toml or "defaults")


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        return f"unknown key '{key}'"
    value = first.get("input")
    shown = "" if isinstance(value, dict) else f" (got {value!r})"
    return f"'{key}': {first['msg']}{shown}"


def _bad_env_section(exc: ValueError) -> str | None:
    """The environment variables of the section pydantic-settings could not parse."""
    text = str(exc)
    if "EnvSettingsSource" not in text:
        return None
    section = text.split('field "', 1)[-1].split('"', 1)[0]
    prefix = f"{ENV_PREFIX}{section}__".upper()
    names = sorted(name for name in os.environ if name.upper().startswith(prefix))
    return "environment variable " + ", ".join(names) if names else "the environment"


def load_settings(path: Path | str | None = None, **overrides: object) -> Settings:
    """Read and validate the configuration.

    Parameters
    ----------
    path
        The TOML file; ``None`` uses ``./config.toml`` when it exists, defaults otherwise.
    **overrides
        Section objects or dicts that win over both the file and the environment.

    Raises
    ------
    ConfigError
        With one line naming the offending key, for a missing file, bad TOML or a bad value.
    """
    toml: Path | None
    if path is None:
        toml = DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None
    else:
        toml = Path(path)
        if not toml.is_file():
            raise ConfigError(f"config file not found: {toml}")
    Settings._toml_file = toml
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # keys checked by pydantic
    except ValidationError as exc:
        raise ConfigError(f"config error in {_source(exc, toml)}: {_describe(exc)}") from None
    except ValueError as exc:  # bad TOML or bad JSON in an environment variable
        where = _bad_env_section(exc) or str(toml or "defaults")
        raise ConfigError(f"config error in {where}: {exc}".splitlines()[0]) from None
    finally:
        Settings._toml_file = None
