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
    engine: Literal["faster-whisper", "openai-compatible"] = Field(
        "faster-whisper", description="Speech engine: faster-whisper (in-process) | openai-compatible (the "
        "servers of model_servers.transcriber, /v1/audio/transcriptions; asr.model is the served model's name).")
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
    lblod_base_uri: str = Field("", description="http(s) base URI under which published notulen and besluitenlijsten "
                                "mint their ids (LBLOD), e.g. https://www.belveld.be/; `minutes publish --base-uri` "
                                "overrides it.")
    lblod_publish_dir: str = Field("", description="Folder the publish button and API write to (one sub-folder per "
                                   "minutes); empty: publications/ in the data folder.")


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


class OpsSettings(_Section):
    log_format: Literal["text", "json"] = Field(
        "text", description="Log lines as text, or as one JSON object per line (for a log collector); JSON "
        "lines leave out client addresses and mask e-mail addresses, IBANs and national numbers.")


class StoreSettings(_Section):
    url: str = Field("", description="The database: empty for the SQLite file in the data folder (the "
                     "single-box default); postgresql+psycopg://user@host/db for the scale-out profile "
                     "(ops/cluster/). The password comes from libpq's password file (~/.pgpass or "
                     "PGPASSFILE) or BELFORT_STORE__URL, never from belfort.toml.")
    connect_wait_seconds: float = Field(60.0, ge=0, description="At start, how long a process waits for a "
                                        "database that does not answer before it stops with store.unreachable.")


class QueueSettings(_Section):
    backend: Literal["sqlite", "redis"] = Field(
        "sqlite", description="The job queue: sqlite (Huey on its own file in the data folder, one box) or "
        "redis (several workers on several hosts; ops/cluster/).")
    redis_url: str = Field("", description="redis://host:6379/0 or unix:///run/redis/redis.sock (backend redis).")
    lease_seconds: float = Field(60.0, ge=0.5, le=3600, description="Redis: a worker's claim on a job lives this "
                                 "long without renewal; the job of a worker that died runs again elsewhere after it.")


class PilotSettings(_Section):
    weeks: int = Field(12, ge=1, le=104, description="Weeks shown on the pilot dashboard (/admin/pilot), "
                       "the current one included.")
    minutes_per_answer: float = Field(4.0, ge=0, le=600, description="Minutes a colleague saves per question "
                                      "Ask answered (not for 'don't know'): the organisation's own estimate.")
    minutes_per_triage_item: float = Field(2.0, ge=0, le=600, description="Minutes saved per triage item "
                                           "routed without a person.")
    minutes_per_minutes_item: float = Field(6.0, ge=0, le=600, description="Minutes saved per drafted minutes "
                                            "item a person accepted.")


class IdentitySettings(_Section):
    public_url: str = Field("", description="Address people use to reach Belfort, e.g. https://belfort.gemeente.be "
                            "(no trailing slash): the OIDC redirect URI is this + /sign-in/oidc/callback; empty: "
                            "taken from the request (only right without a rewriting reverse proxy).")
    oidc_timeout_s: float = Field(10.0, gt=0, le=120, description="Seconds Belfort waits for an OIDC provider "
                                  "(discovery, keys, token exchange) before it says the provider is unreachable.")
    oidc_inactive_days: int = Field(0, ge=0, description="`belfort admin oidc sweep` (and the admin console) "
                                    "deactivates OIDC users the provider has not vouched for in this many days "
                                    "(0: never by age; a sign-in the provider refuses or whose claims map to no "
                                    "group deactivates at once).")
    admin_second_factor: bool = Field(True, description="Local administrators must enrol and use a TOTP second "
                                      "factor (recovery codes for a lost phone).")
    secrets_key_file: str = Field("", description="File with the key that seals secrets at rest: TOTP secrets, "
                                  "OIDC client secrets and share passwords (Fernet). Empty: shares.key_file if set, "
                                  "else data_dir/secrets.key (data_dir/shares.key where that exists from before), "
                                  "generated on first use with mode 0600. Back it up apart from the database.")
    second_factor_attempts_per_account: int = Field(10, ge=1, description="Wrong second-factor codes allowed per "
                                                    "account per 15 minutes, all addresses together, before its "
                                                    "second step is refused (429) for the rest of the window.")


class LdapSettings(_Section):
    url: str = Field("", description="Directory server, e.g. ldaps://dc1.gemeente.local:636 (empty: no LDAP "
                     "sign-in or group sync). Several servers: separate them with spaces; the first reachable wins.")
    security: Literal["ldaps", "starttls", "plain"] = Field(
        "ldaps", description="Transport: ldaps (TLS from the start, port 636), starttls (port 389, TLS before the "
        "bind) or plain (never send passwords over it; tests and a trusted lab only).")
    ca_file: str = Field("", description="PEM file of the CA that signed the directory's certificate "
                         "(empty: the system's CAs). The certificate is always verified.")
    bind_dn: str = Field("", description="Service account that searches users and groups, e.g. "
                         "CN=svc-belfort,OU=Service,DC=gemeente,DC=local (read-only rights suffice).")
    bind_password_file: str = Field("", description="File holding the service account's password (one line, "
                                    "readable by the belfort user only).")
    user_base: str = Field("", description="Base DN searched for users, e.g. OU=Staff,DC=gemeente,DC=local.")
    user_filter: str = Field("(&(objectClass=user)(sAMAccountName={username}))", description="Filter that finds "
                             "one user at sign-in; {username} is replaced, escaped. OpenLDAP: (uid={username}).")
    users_filter: str = Field("(objectClass=user)", description="Filter of all users the group sync mirrors "
                              "(OpenLDAP: (objectClass=inetOrgPerson)).")
    username_attribute: str = Field("sAMAccountName", description="Attribute that is the Belfort user name "
                                    "(OpenLDAP: uid).")
    display_name_attribute: str = Field("displayName", description="Attribute shown as the user's name.")
    group_base: str = Field("", description="Base DN searched for groups (empty: user_base).")
    group_filter: str = Field("(objectClass=group)", description="Filter of the groups mirrored "
                              "(OpenLDAP: (objectClass=groupOfNames)).")
    member_attribute: str = Field("member", description="Group attribute listing member DNs (users and "
                                  "nested groups); nesting is resolved by Belfort, loops are tolerated.")
    sid_attribute: str = Field("objectSid", description="Attribute holding a user's or group's SID: share "
                               "ACLs name groups by SID (OpenLDAP test directories: any attribute with S-1-... text).")
    disabled_filter: str = Field("(userAccountControl:1.2.840.113556.1.4.803:=2)", description="Filter of "
                                 "disabled accounts (AD's ACCOUNTDISABLE bit); they are deactivated in Belfort. "
                                 "Empty: none.")
    admin_groups: list[str] = Field(default_factory=list, description="Directory group names (cn) whose "
                                    "members are Belfort administrators.")
    archivist_groups: list[str] = Field(default_factory=list, description="Directory group names (cn) whose "
                                        "members are archivists.")
    sync_minutes: int = Field(30, ge=1, le=1440, description="Minutes between group syncs (the worker's "
                              "periodic job; `belfort admin ldap sync` runs one now).")
    timeout_seconds: float = Field(10.0, gt=0, description="Connect and operation timeout per server.")


class SharesSettings(_Section):
    key_file: str = Field("", description="Earlier name of identity.secrets_key_file (used when that is empty): "
                          "the key file that seals share passwords, TOTP and OIDC client secrets.")
    crawl_minutes: int = Field(60, ge=1, le=1440, description="Minutes between crawls of every share (the "
                               "worker's periodic job; `belfort shares crawl` runs one now).")
    max_file_mb: int = Field(200, ge=1, description="Larger files on a share are reported and not ingested.")


class ModelServerSettings(_Section):
    llm: list[str] = Field(default_factory=list, description="OpenAI-compatible LLM servers for llm.engine = "
                           "openai-compatible, e.g. [\"http://gpu1:8080/v1\", \"http://gpu2:8080/v1\"] (`belfort "
                           "model-server`, vLLM): round robin, failover to the next; empty: llm.base_url alone.")
    embedder: list[str] = Field(default_factory=list, description="Servers of /v1/embeddings for search.embedder = "
                                "openai-compatible (search.embedder_model is the served model's name).")
    transcriber: list[str] = Field(default_factory=list, description="Servers of /v1/audio/transcriptions for "
                                   "asr.engine = openai-compatible (vLLM or whisper.cpp with a Whisper model).")
    timeout_seconds: float = Field(30.0, gt=0, description="Per request and server: longest wait for the answer "
                                   "to start (and between its pieces) before the next server is tried.")
    retry_seconds: float = Field(30.0, gt=0, description="A server that failed is skipped this long, doubled after "
                                 "each further failure (at most 16 times), then tried again.")


class ClusterSettings(_Section):
    shared_dir: str = Field("", description="Shared mount (NFS/SMB) holding the files every node must see: "
                            "originals, recordings, uploads, the inbox and failed/ (content-addressed, written "
                            "atomically). Empty: all of it in the data folder (one box). The index, caches and "
                            "locks stay in each node's own data folder (ops/cluster/).")
    follow_index: bool = Field(False, description="Web nodes keep their own FAISS index in step with the "
                               "database's change log by chunk id, and workers leave vectors to them (the "
                               "scale-out profile); off: the worker writes the index files in the data folder "
                               "(one box).")
    share_vectors: bool = Field(True, description="Web nodes share the vectors they compute through the "
                                "database (chunk_vector): each passage is embedded once for the whole cluster, "
                                "and a new node reads vectors instead of embedding the archive again.")
    follow_seconds: float = Field(2.0, gt=0, le=3600, description="Seconds between two follow steps of a web "
                                  "node (how soon another node's ingest becomes searchable here).")
    follow_gap_seconds: float = Field(300.0, gt=0, description="Seconds a hole in the change sequence (a "
                                      "transaction still open on another node, or rolled back) is waited for "
                                      "before it is given up.")
    change_log_days: int = Field(30, ge=1, description="Days the index change log is kept; a node that was "
                                 "away longer repairs its index from the database instead (ensure_index).")
