"""Settings sections of the later features (insight, speech, minutes, plain language), apart from
appliance.settings so that each module stays readable; appliance.settings composes them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InsightSettings(_Section):
    include_questions: bool = Field(False, description="Themes also cluster Ask questions (each person sees "
                                    "only their own; administrators all).")
    include_feedback: bool = Field(False, description="Themes also cluster the comments of thumbs-down feedback.")
    theme_distance: float = Field(0.9, gt=0, lt=2, description="Cosine distance (of the centred vectors) below which "
                                  "entries share a theme; see bench/insight_themes_bench.py.")
    min_theme_size: int = Field(3, ge=1, description="Fewest entries a theme has; smaller groups stay ungrouped.")
    max_entries: int = Field(5000, ge=10, description="Most entries clustered at once (the newest are kept).")
    districts: list[str] = Field(default_factory=list, description="Deelgemeenten recognised by name in an "
                                 "item's text when it has no postcode.")


class AsrSettings(_Section):
    model: str = Field("whisper-base", description="Catalog name or folder of the speech (whisper) model.")
    language: Literal["nl", "fr", "auto"] = Field(
        "nl", description="Spoken language of recordings; auto detects it per window (mixed meetings)."
    )
    chunk_seconds: float = Field(
        300.0, gt=0, description="Recordings are transcribed in windows of this length (resumable)."
    )
    hotwords: list[str] = Field(
        default_factory=list, description="Names and terms of the organisation that steer the spelling."
    )
    attendees: list[str] = Field(
        default_factory=list, description="Council members and staff offered as speakers in the editor."
    )
    place_names: list[str] = Field(
        default_factory=list, description="Street and place names of the municipality; with a meeting's agenda "
        "titles and speakers they prime transcription (Whisper hotwords) and the vocabulary clean-up."
    )
    diarizer: str = Field(
        "none", description="Speaker turns: none (set in the editor) | channel (one speaker per stereo channel) | "
        "pyannote (the pyannote.audio pipeline, provisioned under models_dir/pyannote-speaker-diarization/)."
    )
    max_upload_mb: int = Field(2048, description="Largest accepted recording upload in MiB.")


class MinutesSettings(_Section):
    recording_retention_days: int = Field(
        30, ge=0, description="Audio of recordings Belfort stored is deleted after this many days (GDPR); "
        "transcripts and minutes stay; 0 keeps it."
    )
    jsonld_base_uri: str = Field(
        "urn:belfort:", description="Base of the ids in the OSLO Besluit JSON-LD export (a URN or the "
        "municipality's LBLOD base URI ending in /)."
    )
    organisation: str = Field("", description="Name of the municipality printed at the top of exported minutes.")
    docx_template: str = Field("", description="House-style .docx whose styles, header and logo DOCX exports use.")
    odt_template: str = Field("", description="House-style .odt whose styles and header ODT exports use.")


class PlainSettings(_Section):
    max_chars: int = Field(20000, ge=100, le=1_000_000, description="Longest text /write and "
                           "`belfort write` rewrite; a longer one is refused (plain.too_long) with this limit.")
    rewrite_mode: Literal["auto", "rules", "llm"] = Field(
        "auto", description="rules: sentence splitting, the B1 word list and the tone rules, no model; llm: the "
        "model rewrites each paragraph, checked against the original (else the rules' version is kept); auto: "
        "rules on a CPU-only profile, llm with a GPU or an openai-compatible server.")
    protected_terms: list[str] = Field(
        default_factory=list, description="Terms never rewritten (service names, legal terms); the admin "
        "console's list, when saved, replaces this one.")
    tone_rules: list[str] = Field(
        default_factory=list, description="Tone-of-voice rules: 'old => new' replacements applied to every "
        "rewrite, other lines are guidance for the writer and the model; the admin console's list replaces it.")
