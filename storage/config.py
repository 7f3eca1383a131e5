"""Configuration sections owned by the storage package."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Section(BaseModel):
    """Base of the storage sections: unknown keys are errors, values are validated (the same
    rules as ``model.config.Section``; storage does not depend on model/)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class StorageConfig(Section):
    """Database location and write batching."""

    url: str = "sqlite:///var/sentibot.db"
    batch_size: int = Field(2000, ge=1)  # messages per write (benchmarks/pipeline.py)
    flush_interval_ms: float = Field(200.0, ge=0.0, allow_inf_nan=False)
    buffer_limit: int = Field(100_000, ge=1)
    retry_max_s: float = Field(30.0, gt=0.0)


class PrivacyConfig(Section):
    """What is kept, and for how long."""

    store_text: bool = False
    retention_days: int = Field(90, ge=1)  # messages and feedback
    tombstone_days: int = Field(7, ge=1)  # how long a delete blocks a late write of its message
