"""One settings object, read from ``ECOMRISK_*`` environment variables and an
optional TOML file, validated once at start-up.

Precedence, highest first: explicit arguments, environment variables, the TOML
file named by ``ECOMRISK_CONFIG``, the defaults below. Every field is
documented in docs/configuration.md (a test enforces it).
"""

import os
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

CONFIG_ENV = "ECOMRISK_CONFIG"
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev-secret-change-me"})
DEV_SECRET = "dev-secret-change-me"


class SettingsError(ValueError):
    """Settings that cannot be used; the message names each field and its problem."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ECOMRISK_", extra="forbid")

    environment: Literal["development", "production"] = Field(
        default="development",
        description="production refuses placeholder secrets and the development defaults.",
    )
    data_dir: Path = Field(
        default=Path("data"),
        description="Folder for the embedded SQLite store, DuckDB files and artefacts.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the operational store; SQLite in data_dir when unset.",
    )
    jurisdiction: str = Field(
        default="US-2019",
        description="Jurisdiction profile in force: a shipped profile id or a path to a TOML file.",
    )
    secret_key: str = Field(
        default=DEV_SECRET,
        description="Key signing session cookies and CSRF tokens; must be set in production.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Level of the application log."
    )
    batch_engine: Literal["duckdb", "spark"] = Field(
        default="duckdb", description="Engine for batch jobs (features, scoring, training)."
    )
    spark_master: str = Field(
        default="local[2]", description="Spark master URL when batch_engine is spark."
    )

    max_batch_size: int = Field(
        default=1_000, ge=1, le=100_000, description="Most filings in one API batch request."
    )
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024,
        ge=1024,
        description="Largest request body of the filer API, bulk uploads excepted (bytes).",
    )
    max_upload_bytes: int = Field(
        default=20 * 1024**3,
        ge=1024,
        description="Largest bulk file upload (bytes); uploads are streamed to a temporary file.",
    )
    max_record_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Longest line (one record) of a bulk NDJSON or CSV file (bytes).",
    )
    ingest_chunk_size: int = Field(
        default=500,
        ge=1,
        le=10_000,
        description="Filings written per transaction in batches and bulk files.",
    )
    api_key_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        le=300,
        description="How long a checked API key is trusted without a lookup; a revoked "
        "key keeps working this long. 0 checks every request.",
    )
    max_reported_errors: int = Field(
        default=1_000, ge=1, description="Most rejected records listed in a bulk upload response."
    )
    behind_tls: bool = Field(
        default=False,
        description="The API is reached over HTTPS (directly or through a TLS-terminating "
        "proxy): responses carry Strict-Transport-Security.",
    )
    decision_refresh_seconds: float = Field(
        default=1.0,
        ge=0,
        le=60,
        description="How often a deciding process looks for a new live or shadow rule set, "
        "model, watch-list version or network build; each takes effect within this delay. "
        "0 looks on every filing.",
    )
    score_chunk_size: int = Field(
        default=5_000,
        ge=1,
        le=100_000,
        description="Decisions written per transaction by batch scoring (ecomrisk score).",
    )

    targeting_priority_weights: dict[str, float] = Field(
        default_factory=lambda: {
            "prohibited": 1000.0,
            "forced_labour": 500.0,
            "counterfeit": 200.0,
        },
        description="Value (in the profile's currency) added to a shipment's revenue at risk "
        "when its rule or screening hits point to this finding type: enforcement priorities.",
    )
    targeting_duty_rate: float = Field(
        default=0.1,
        ge=0,
        le=5,
        description="Average duty and tax rate used to estimate revenue at risk until the "
        "model stores its own.",
    )
    targeting_forced_match_score: float = Field(
        default=0.95,
        ge=0,
        le=1,
        description="Screening score from which a watch-list hit counts as confirmed: "
        "the shipment is examined first, like a hold.",
    )
    compliance_major_findings: list[str] = Field(
        default_factory=lambda: ["prohibited", "counterfeit", "forced_labour", "restricted"],
        description="Finding types that make a violation major in compliance reports.",
    )

    @model_validator(mode="after")
    def _finding_types(self) -> "Settings":
        from ecomrisk.domain.enums import FindingType

        known = {f.value for f in FindingType}
        for name in ("targeting_priority_weights", "compliance_major_findings"):
            unknown = sorted(set(getattr(self, name)) - known)
            if unknown:
                raise ValueError(
                    f"{name}: unknown finding type {', '.join(unknown)}; "
                    f"known: {', '.join(sorted(known))}"
                )
        if any(w < 0 for w in self.targeting_priority_weights.values()):
            raise ValueError("targeting_priority_weights: weights must not be negative")
        return self

    session_idle_minutes: int = Field(
        default=30, ge=1, le=24 * 60, description="A web session ends after this long unused."
    )
    session_hours: int = Field(
        default=10, ge=1, le=7 * 24, description="A web session ends this long after sign-in."
    )
    sign_in_max_failures: int = Field(
        default=5, ge=1, le=100, description="Failed sign-ins in a row that lock a username."
    )
    sign_in_lockout_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="How long a locked username stays locked."
    )
    detention_notice_business_days: int = Field(
        default=5,
        ge=1,
        le=60,
        description="Business days after a detention by which its notice must be sent.",
    )
    detention_decision_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Days after a detention by which goods must be released, seized or abandoned.",
    )
    seizure_notice_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Days after a seizure by which the notice of seizure must be sent.",
    )
    programme_criteria: str | None = Field(
        default=None,
        description="TOML file of the trusted-shipper programme's criteria thresholds; "
        "unset: the bundled programme/criteria.toml.",
    )
    portal_reports_per_hour: int = Field(
        default=5, ge=1, le=1000, description="Violation reports one client IP may send per hour."
    )
    portal_searches_per_minute: int = Field(
        default=30, ge=1, le=10_000, description="Trusted-party searches per client IP per minute."
    )
    portal_min_fill_seconds: int = Field(
        default=3,
        ge=0,
        le=600,
        description="A report form sent back sooner than this after it was served is spam.",
    )
    portal_max_file_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=1024,
        le=50 * 1024 * 1024,
        description="Largest evidence file of a violation report (bytes); with "
        "portal_max_files, keep their product under max_body_bytes.",
    )
    portal_max_files: int = Field(
        default=3, ge=0, le=10, description="Evidence files one violation report may carry."
    )

    @model_validator(mode="after")
    def _production_guards(self) -> "Settings":
        if self.environment == "production" and self.secret_key in PLACEHOLDER_SECRETS:
            raise ValueError(
                "secret_key: a real secret is required in production (set ECOMRISK_SECRET_KEY)"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ecomrisk.db').resolve()}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get(CONFIG_ENV)
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings, turning validation errors into one clear message."""
    config_file = os.environ.get(CONFIG_ENV)
    if config_file and not Path(config_file).is_file():
        raise SettingsError(f"{CONFIG_ENV}={config_file}: no such file")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for e in error.errors():
            field = ".".join(str(p) for p in e["loc"])
            message = str(e["msg"]).removeprefix("Value error, ")
            where = f"{field} (ECOMRISK_{field.upper()}): " if field else ""
            problems.append(f"  {where}{message}")
        source = f" (config file {config_file})" if config_file else ""
        raise SettingsError("invalid settings" + source + ":\n" + "\n".join(problems)) from None


@cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
