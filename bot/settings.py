"""Typed settings, read from the environment and ``.env``."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting the bot reads; ``.env.example`` documents each one."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    """The bot token; unwrapped only where the client starts. Never logged."""

    data_dir: Path = Field(default=Path("data"), validation_alias="GRIDBOT_DATA_DIR")
    """Where the grid files live."""

    dev_guild_id: int | None = Field(default=None, validation_alias="GRIDBOT_DEV_GUILD_ID")
    """A server to sync commands to instantly while developing; global sync is skipped."""

    default_event: str | None = Field(default=None, validation_alias="GRIDBOT_DEFAULT_EVENT")
    """The event answered when a command names none (a file key or event name); else the
    most recent grid."""

    state_dir: Path = Field(default=Path(".state"), validation_alias="GRIDBOT_STATE_DIR")
    """Where the bot remembers the hash of the last global command sync."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", validation_alias="GRIDBOT_LOG_LEVEL"
    )
    """Logging level: DEBUG, INFO, WARNING or ERROR."""

    @field_validator("discord_token", "dev_guild_id", "default_event", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """``DISCORD_TOKEN=`` (as copied from ``.env.example``) means not set."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value
