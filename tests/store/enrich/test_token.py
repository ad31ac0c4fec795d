"""Where the GitHub token comes from, and `paperdeck auth github`."""

from __future__ import annotations

import io

import keyring
import keyring.core
import pytest

from store.enrich.token import TokenLookup, github_token, lookup_github_token
from tests.fakes.memory_keyring import MemoryKeyring
from tui.cli.fetch import run_auth

TOKEN = "ghp_0123456789abcdefSECRET"


def use_backend(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", name)
    keyring.core.init_backend()


def auth(stdin_text: str = "", *, delete: bool = False, tty: bool = False) -> tuple[int, str, str]:
    stdin = io.StringIO(stdin_text)
    stdin.isatty = lambda: tty  # type: ignore[method-assign]
    stdout, stderr = io.StringIO(), io.StringIO()
    code = run_auth("github", delete=delete, stdin=stdin, stdout=stdout, stderr=stderr)
    return code, stdout.getvalue(), stderr.getvalue()


def test_environment_wins_over_the_keyring() -> None:
    MemoryKeyring.secrets[("paperdeck", "github")] = "from_keyring"
    assert github_token({"GITHUB_TOKEN": " from_env \n"}) == "from_env"
    assert lookup_github_token({"GITHUB_TOKEN": "from_env"}).source == "GITHUB_TOKEN"
    assert lookup_github_token({}).token == "from_keyring"
    assert lookup_github_token({"GITHUB_TOKEN": ""}).source == "keyring"


def test_nothing_stored_is_no_token_and_no_problem() -> None:
    assert lookup_github_token({}) == TokenLookup(token=None, source=None, problem=None)


@pytest.mark.parametrize(
    "backend",
    ["keyring.backends.fail.Keyring", "tests.fakes.memory_keyring.BrokenKeyring"],
)
def test_a_missing_or_failing_keyring_is_explained(
    monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    use_backend(monkeypatch, backend)
    found = lookup_github_token({})
    assert found.token is None
    assert found.problem is not None and "GITHUB_TOKEN" in found.problem
    assert github_token({"GITHUB_TOKEN": TOKEN}) == TOKEN  # the environment still works


def test_plaintext_backends_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    plaintext = type("PlaintextKeyring", (MemoryKeyring,), {"__module__": "keyrings.alt.file"})
    keyring.set_keyring(plaintext())
    found = lookup_github_token({})
    assert found.token is None and found.problem and "plain files" in found.problem
    code, out, err = auth(TOKEN + "\n")
    assert code == 1 and "plain files" in err
    assert MemoryKeyring.secrets == {}


def test_auth_stores_a_piped_token_and_never_prints_it() -> None:
    code, out, err = auth(TOKEN + "\nignored second line\n")
    assert code == 0
    assert MemoryKeyring.secrets == {("paperdeck", "github"): TOKEN}
    assert "Stored the GitHub token" in out
    assert TOKEN not in out + err


def test_auth_prompts_hidden_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str, stream: object = None) -> str:
        prompts.append(prompt)
        return TOKEN

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    code, out, err = auth("this is not read", tty=True)
    assert code == 0 and prompts and "hidden" in prompts[0]
    assert MemoryKeyring.secrets[("paperdeck", "github")] == TOKEN


def test_auth_notes_that_the_environment_takes_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "other_token")
    code, out, _ = auth(TOKEN)
    assert code == 0 and "GITHUB_TOKEN is set" in out
    assert "other_token" not in out


@pytest.mark.parametrize("given", ["", "\n", "has spaces in it\n", "tab\there\n"])
def test_auth_refuses_empty_or_impossible_tokens(given: str) -> None:
    code, _, err = auth(given)
    assert code == 2 and err
    assert MemoryKeyring.secrets == {}


def test_auth_delete() -> None:
    MemoryKeyring.secrets[("paperdeck", "github")] = TOKEN
    code, out, _ = auth(delete=True)
    assert (code, MemoryKeyring.secrets) == (0, {})
    assert "Removed" in out
    code, out, _ = auth(delete=True)
    assert code == 0 and "No GitHub token was stored" in out


@pytest.mark.parametrize(
    "backend",
    ["keyring.backends.fail.Keyring", "tests.fakes.memory_keyring.BrokenKeyring"],
)
def test_auth_without_a_keyring_points_to_the_environment(
    monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    use_backend(monkeypatch, backend)
    for delete in (False, True):
        code, out, err = auth(TOKEN, delete=delete)
        assert code == 1
        assert "no usable system keyring" in err and "GITHUB_TOKEN" in err
        assert "Traceback" not in err and TOKEN not in out + err


def test_auth_unknown_service() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    assert run_auth("gitlab", delete=False, stdin=io.StringIO(), stdout=stdout, stderr=stderr) == 2


def test_auth_json_reports_the_outcome_never_the_token() -> None:
    import json

    stdin = io.StringIO(TOKEN + "\n")
    stdin.isatty = lambda: False  # type: ignore[method-assign]
    stdout, stderr = io.StringIO(), io.StringIO()
    assert (
        run_auth("github", delete=False, stdin=stdin, stdout=stdout, stderr=stderr, as_json=True)
        == 0
    )
    stored = json.loads(stdout.getvalue())
    assert stored["stored"] is True and stored["service"] == "github"
    assert TOKEN not in stdout.getvalue() + stderr.getvalue()
    stdout = io.StringIO()
    assert (
        run_auth(
            "github", delete=True, stdin=io.StringIO(), stdout=stdout, stderr=stderr, as_json=True
        )
        == 0
    )
    assert json.loads(stdout.getvalue()) == {"service": "github", "deleted": True}
