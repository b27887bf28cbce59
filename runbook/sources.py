"""Where the runbook's settings come from: options > document variables > ``OS_*`` > clouds.yaml.

Each value keeps the name of its source ("--server-id", "SERVER_ID", "OS_PROJECT_ID",
"clouds.yaml (cloud 'prod')") so the report and the error messages can say where it came from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from runbook.errors import VariableError

# The seed document's own variable names (step 3), as options and as environment variables.
DOCUMENT_VARIABLES = ("COMPUTE", "TOKEN", "PROJECT_ID", "SERVER_ID")

# Every setting: (name, option dest, environment variables in order, clouds.yaml keys).
# clouds.yaml keys are looked up under ``auth`` first, then at the top of the cloud entry.
_SETTINGS: tuple[tuple[str, str | None, tuple[str, ...], tuple[str, ...]], ...] = (
    ("COMPUTE", "runbook_compute", ("COMPUTE",), ()),
    ("TOKEN", "runbook_token", ("TOKEN", "OS_TOKEN"), ("token",)),
    (
        "PROJECT_ID",
        "runbook_project_id",
        ("PROJECT_ID", "OS_PROJECT_ID", "OS_TENANT_ID"),
        ("project_id", "tenant_id"),
    ),
    ("SERVER_ID", "runbook_server_id", ("SERVER_ID",), ()),
    ("server_name", "runbook_server_name", (), ()),  # an explicit option only, never a variable
    ("auth_url", "runbook_auth_url", ("OS_AUTH_URL",), ("auth_url",)),
    ("username", None, ("OS_USERNAME",), ("username",)),
    ("user_id", None, ("OS_USER_ID",), ("user_id",)),
    ("password", None, ("OS_PASSWORD",), ("password",)),
    ("user_domain_name", None, ("OS_USER_DOMAIN_NAME",), ("user_domain_name",)),
    ("user_domain_id", None, ("OS_USER_DOMAIN_ID",), ("user_domain_id",)),
    ("project_name", None, ("OS_PROJECT_NAME", "OS_TENANT_NAME"), ("project_name", "tenant_name")),
    ("project_domain_name", None, ("OS_PROJECT_DOMAIN_NAME",), ("project_domain_name",)),
    ("project_domain_id", None, ("OS_PROJECT_DOMAIN_ID",), ("project_domain_id",)),
    ("domain_name", None, ("OS_DOMAIN_NAME",), ("domain_name",)),
    ("domain_id", None, ("OS_DOMAIN_ID",), ("domain_id",)),
    ("region", "runbook_region", ("OS_REGION_NAME",), ("region_name",)),
    ("cacert", "runbook_ca_bundle", ("OS_CACERT",), ("cacert",)),
    ("interface", None, ("OS_INTERFACE",), ("interface",)),
)

WHERE_FROM: dict[str, str] = {
    "COMPUTE": "--compute or COMPUTE (or leave it out: it is read from the token's catalog)",
    "TOKEN": "--token, TOKEN or OS_TOKEN (or leave it out: step 2 gets one with the password)",
    "PROJECT_ID": "--project-id, PROJECT_ID, OS_PROJECT_ID or clouds.yaml auth.project_id",
    "SERVER_ID": "--server-id or SERVER_ID (a UUID), or --server-name NAME",
    "auth_url": "--auth-url, OS_AUTH_URL or clouds.yaml auth.auth_url",
    "username": "OS_USERNAME (or OS_USER_ID) or clouds.yaml auth.username",
    "password": "OS_PASSWORD or clouds.yaml/secure.yaml auth.password (never an option)",
    "user_domain_name": "OS_USER_DOMAIN_NAME (your contract number) or clouds.yaml auth.user_domain_name",
    "region": "--region, OS_REGION_NAME or clouds.yaml region_name",
}


@dataclass
class Sources:
    """Resolved settings and the name of the source each came from.

    ``offered`` keeps every value each source gave, the losers too: the pinned-identity check
    compares them all (``PROJECT_ID=A`` with ``OS_PROJECT_ID=B`` must not pass on A alone).
    """

    values: dict[str, str] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    offered: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        """The value of ``name`` or None."""
        return self.values.get(name)

    def origin(self, name: str) -> str:
        """Where ``name`` came from, e.g. ``OS_PROJECT_ID``."""
        return self.origins.get(name, "-")

    def every(self, name: str) -> list[tuple[str, str]]:
        """Every ``(value, origin)`` given for ``name``, strongest source first."""
        return self.offered.get(name, [])

    def set(self, name: str, value: str | None, origin: str) -> None:
        """Set ``name`` unless it already has a value from a stronger source (kept in ``offered``)."""
        if value:
            self.offered.setdefault(name, []).append((value, origin))
        if value and name not in self.values:
            self.values[name] = value
            self.origins[name] = origin


def clouds_yaml_paths(environ: Mapping[str, str]) -> list[Path]:
    """openstacksdk's search order: OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack, /etc/openstack."""
    paths = [Path(environ["OS_CLIENT_CONFIG_FILE"])] if environ.get("OS_CLIENT_CONFIG_FILE") else []
    home = Path(environ.get("HOME", str(Path.home())))
    for folder in (Path.cwd(), home / ".config" / "openstack", Path("/etc/openstack")):
        paths.append(folder / "clouds.yaml")
    return paths


def load_cloud(name: str, environ: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """The entry ``name`` of the first clouds.yaml that has it, merged with secure.yaml."""
    for path in clouds_yaml_paths(environ):
        if not path.is_file():
            continue
        clouds = _read_yaml(path).get("clouds") or {}
        if name in clouds:
            entry = dict(clouds[name] or {})
            secure = path.with_name("secure.yaml")
            if secure.is_file():
                extra = (_read_yaml(secure).get("clouds") or {}).get(name) or {}
                entry["auth"] = {**(entry.get("auth") or {}), **(extra.get("auth") or {})}
            return entry, str(path)
    searched = ", ".join(str(p) for p in clouds_yaml_paths(environ))
    raise VariableError(
        "OS_CLOUD",
        f"no cloud named {name!r} in any clouds.yaml (searched {searched})",
        sources="a clouds.yaml entry of that name, or unset OS_CLOUD and use OS_* variables",
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise VariableError(
            "OS_CLOUD", f"cannot read {path}: {exc}", sources="a valid clouds.yaml"
        ) from exc
    return data if isinstance(data, dict) else {}


def resolve_sources(options: Mapping[str, Any], environ: Mapping[str, str]) -> Sources:
    """All settings from ``options`` (pytest option dests), then ``environ``, then clouds.yaml."""
    sources = Sources()
    for name, dest, env_names, _keys in _SETTINGS:
        if dest and options.get(dest):
            sources.set(
                name, str(options[dest]), "--" + dest.removeprefix("runbook_").replace("_", "-")
            )
        for env_name in env_names:
            sources.set(name, environ.get(env_name, "").strip() or None, env_name)
    cloud_name = environ.get("OS_CLOUD", "").strip()
    if cloud_name:
        entry, path = load_cloud(cloud_name, environ)
        auth = entry.get("auth") or {}
        origin = f"clouds.yaml (cloud {cloud_name!r})"
        for name, _dest, _envs, keys in _SETTINGS:
            for key in keys:
                value = auth.get(key, entry.get(key))
                sources.set(name, str(value) if value is not None else None, origin)
        if entry.get("verify") is False:
            sources.set("insecure", "true", origin)
        sources.set("clouds_yaml", path, origin)
    return sources


def environment() -> dict[str, str]:
    """A copy of the process environment (a seam for tests)."""
    return dict(os.environ)
