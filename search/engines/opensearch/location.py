"""Where a cluster index is, and how to log in: parsed from a location URL.

    opensearch+http://127.0.0.1:9200/parley       a local test cluster, index (alias) "parley"
    opensearch+https://search.example.org/news    https, credentials from the environment

Credentials never come from the URL text shown to users: PARLEY_OPENSEARCH_USER and
PARLEY_OPENSEARCH_PASSWORD, else the netrc-style file named by PARLEY_OPENSEARCH_NETRC (or
~/.netrc), else none. Plain http to a host that is not loopback is refused unless the user
says so (PARLEY_OPENSEARCH_ALLOW_HTTP=1): passwords and news archives would cross the network
in clear.
"""

from __future__ import annotations

import ipaddress
import netrc
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from indexer.errors import EngineConfigError

SCHEMES = ("opensearch+http", "opensearch+https")
_INDEX_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,200}$")


@dataclass(frozen=True)
class Location:
    scheme: str  # http | https
    hosts: tuple[tuple[str, int], ...]
    index: str  # the alias readers search; each build is a concrete index behind it
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        """The location as it may be printed: never with credentials."""
        hosts = ",".join(f"{h}:{p}" for h, p in self.hosts)
        return f"opensearch+{self.scheme}://{hosts}/{self.index}"


def is_cluster_location(text: str) -> bool:
    return text.split("://", 1)[0] in SCHEMES


def parse_location(text: str, env: dict[str, str] | None = None) -> Location:
    env = dict(os.environ) if env is None else env
    parts = urlsplit(text)
    scheme = parts.scheme.removeprefix("opensearch+")
    if parts.scheme not in SCHEMES:
        raise EngineConfigError(
            f"Unknown engine location {_safe(text)!r}: use opensearch+http://HOST:PORT/INDEX "
            "or opensearch+https://HOST:PORT/INDEX.")
    if parts.password is not None or parts.username is not None:
        raise EngineConfigError(
            "Put cluster credentials in PARLEY_OPENSEARCH_USER / PARLEY_OPENSEARCH_PASSWORD or a "
            "netrc file, not in the location URL (it is shown in output and logs).")
    hosts = tuple(_host(h, scheme) for h in parts.netloc.split(",") if h)
    if not hosts:
        raise EngineConfigError(f"No host in engine location {_safe(text)!r}.")
    index = unquote(parts.path.strip("/")) or "parley"
    if not _INDEX_NAME.match(index):
        raise EngineConfigError(
            f"Index name {index!r} must be lower-case letters, digits, '-' or '_'.")
    if scheme == "http" and not all(_loopback(h) for h, _ in hosts) \
            and env.get("PARLEY_OPENSEARCH_ALLOW_HTTP") != "1":
        raise EngineConfigError(
            "Refusing plain http to a host that is not this machine: use opensearch+https://, "
            "or set PARLEY_OPENSEARCH_ALLOW_HTTP=1 if the network is yours.")
    user, password = _credentials(hosts[0][0], env)
    return Location(scheme, hosts, index, user, password)


def _host(netloc: str, scheme: str) -> tuple[str, int]:
    parts = urlsplit("//" + netloc)
    try:
        port = parts.port
    except ValueError:
        raise EngineConfigError(f"Port in {netloc!r} is not a number.") from None
    if not parts.hostname:
        raise EngineConfigError(f"No host name in {netloc!r}.")
    return parts.hostname, port or (443 if scheme == "https" else 9200)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _credentials(host: str, env: dict[str, str]) -> tuple[str | None, str | None]:
    user, password = env.get("PARLEY_OPENSEARCH_USER"), env.get("PARLEY_OPENSEARCH_PASSWORD")
    if user:
        return user, password or ""
    path = Path(env.get("PARLEY_OPENSEARCH_NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None, None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as exc:
        raise EngineConfigError(f"Cannot read credentials file {path}: {exc.__class__.__name__}.") \
            from None
    if entry is None:
        return None, None
    login, _account, secret = entry
    return login, secret


def _safe(text: str) -> str:
    """A location as the user gave it, with any user:password@ part blanked."""
    return re.sub(r"//[^/@]*@", "//***@", text)
