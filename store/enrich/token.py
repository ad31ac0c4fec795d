"""Where the GitHub token comes from: `GITHUB_TOKEN`, else the system keyring.

The token is a secret: it is only ever handed to the GitHub client's Authorization header.
No message here contains it.  Plaintext keyring backends (keyrings.alt) are refused, because
they would put the token in a file.  On a box without a keyring backend even `get_password`
raises, so every keyring call is guarded.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from store.errors import InvalidToken, KeyringUnavailable

SERVICE = "paperdeck"
USERNAME = "github"
ENV_VAR = "GITHUB_TOKEN"
_TOKEN = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(frozen=True, slots=True)
class TokenLookup:
    token: str | None
    source: str | None
    """`GITHUB_TOKEN`, `keyring`, or None."""
    problem: str | None = None
    """Why the keyring could not be asked, fit to show a user; None when it answered."""


def is_valid_token(token: str) -> bool:
    """Printable ASCII without spaces: anything else cannot be a GitHub token."""
    return bool(_TOKEN.match(token))


def lookup_github_token(environ: Mapping[str, str]) -> TokenLookup:
    from_env = environ.get(ENV_VAR, "").strip()
    if from_env:
        if not is_valid_token(from_env):
            return TokenLookup(None, None, f"{ENV_VAR} does not look like a token; ignored")
        return TokenLookup(from_env, ENV_VAR)
    try:
        stored = _secure_keyring().get_password(SERVICE, USERNAME)
    except KeyringUnavailable as err:
        return TokenLookup(None, None, str(err))
    except Exception as err:  # backends raise their own types (dbus, OS errors)
        return TokenLookup(None, None, _unusable(err))
    if stored is None or not stored.strip():
        return TokenLookup(None, None)
    if not is_valid_token(stored.strip()):
        return TokenLookup(None, None, "the token in the keyring is not valid; store it again")
    return TokenLookup(stored.strip(), "keyring")


def github_token(environ: Mapping[str, str]) -> str | None:
    """The token to use, or None; `lookup_github_token` says why there is none."""
    return lookup_github_token(environ).token


def store_github_token(token: str) -> str:
    """Keep the token in the keyring; returns the backend's name for the confirmation."""
    token = token.strip()
    if not is_valid_token(token):
        raise InvalidToken("That does not look like a GitHub token (no spaces, printable ASCII).")
    backend = _secure_keyring()
    try:
        backend.set_password(SERVICE, USERNAME, token)
    except Exception as err:  # see lookup_github_token
        raise KeyringUnavailable(_unusable(err)) from err
    return _backend_name(backend)


def delete_github_token() -> bool:
    """Remove the stored token; False when there was none."""
    from keyring.errors import PasswordDeleteError

    backend = _secure_keyring()
    try:
        backend.delete_password(SERVICE, USERNAME)
    except PasswordDeleteError:
        return False
    except Exception as err:  # see lookup_github_token
        raise KeyringUnavailable(_unusable(err)) from err
    return True


def _secure_keyring() -> Any:
    # keyring is imported here: it scans entry points on first use, which `paperdeck list`
    # and friends should never pay for.
    import keyring
    from keyring.backends import fail
    from keyring.errors import KeyringError

    try:
        backend = keyring.get_keyring()
    except (KeyringError, RuntimeError, ImportError) as err:
        raise KeyringUnavailable(_unusable(err)) from err
    if isinstance(backend, fail.Keyring):
        raise KeyringUnavailable(_unusable(None))
    if any(_is_plaintext(b) for b in [backend, *getattr(backend, "backends", ())]):
        raise KeyringUnavailable(
            f"the keyring backend {_backend_name(backend)} stores secrets in plain files; "
            f"refusing it. Set {ENV_VAR} instead"
        )
    return backend


def _is_plaintext(backend: object) -> bool:
    return type(backend).__module__.startswith("keyrings.alt")


def _backend_name(backend: object) -> str:
    name = getattr(backend, "name", None)
    return name if isinstance(name, str) and name else type(backend).__name__


def _unusable(err: BaseException | None) -> str:
    kind = f" ({type(err).__name__})" if err is not None else ""
    return f"no usable system keyring{kind}; set {ENV_VAR} instead"
