"""A closed door (issue 10, items 3, 7, 8): who may open what, the accounts file read strictly, sign-in
throttling on an injected clock, idle sessions signed out, errors shown with a reference id only."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
import tomllib
from streamlit.config import ShowErrorDetailsConfigOptions
from streamlit.testing.v1 import AppTest

from governance.core import accounts, passwords, signin
from governance.web import auth
from tests.conftest import APP, run_app

ROOT = Path(__file__).resolve().parents[1]
STORED = passwords.hash_password("s3cret", iterations=1000)
USERS = {"wang": {"password_hash": STORED, "role": "viewer"},
         "li": {"password_hash": STORED, "role": "analyst", "region": "411102001000"}}


@pytest.fixture(autouse=True)
def tiny_store(served_store):
    return served_store.root


def app(secrets: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def pages(at: AppTest) -> set[str]:
    """The page scripts the navigation offers (AppTest refuses to switch to any other); the closed note is a
    function, not a script, at every address."""
    found = set()
    for path in ("pages/overview.py", "pages/upload.py", "pages/history.py", "pages/dictionary.py"):
        try:
            at.switch_page(path)
            found.add(path.split("/")[1][:-3])
        except ValueError:
            continue
    return found


# ---- the server's own settings --------------------------------------------------------------------

def test_the_server_listens_on_loopback_and_shows_no_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert ShowErrorDetailsConfigOptions(config["client"]["showErrorDetails"]) is ShowErrorDetailsConfigOptions.NONE


# ---- the accounts file, strictly ------------------------------------------------------------------

@pytest.mark.parametrize("secrets, why", [
    ({"users": {}}, "[users] 中没有任何账号"),
    ({"roles": {"analysts": ["li@example.org"]}}, "只有 [roles]"),
    ({"users": {"li": {"role": "analyst"}}}, "用户 li：缺少或无效的 password_hash"),
    ({"users": {"li": {"password_hash": STORED}}}, "用户 li：role 应为 analyst 或 viewer"),
    ({"users": {"li": {"password_hash": STORED, "role": "admin"}}}, "role 应为 analyst 或 viewer"),
    ({"users": {"li": {"password_hash": "hunter2", "role": "viewer"}}}, "password_hash"),
    ({"users": {"li": {"password_hash": STORED, "role": "viewer", "region": 411102001000}}}, "region 应为12位区划代码"),
    ({"users": {"li": "analyst"}}, "应写成 [users.li] 表"),
    ({"auth": {}, "roles": {"analysts": "li@example.org"}}, "analysts 应为用户邮箱列表"),
])
def test_a_half_filled_accounts_file_is_broken_never_local(secrets, why):
    cfg = accounts.read(secrets, file_exists=True)
    assert cfg.mode == "broken"
    assert any(why in p for p in cfg.problems), cfg.problems


def test_an_empty_file_is_broken_and_no_file_or_other_secrets_is_local():
    assert accounts.read({}, file_exists=True).mode == "broken"
    assert accounts.read({}, file_exists=False).mode == "local"
    assert accounts.read({"smtp": {"host": "mail"}}, file_exists=True).mode == "local"  # not an accounts file


def test_accounts_carry_their_role_and_region():
    cfg = accounts.read({"users": USERS}, file_exists=True)
    assert cfg.mode == "password"
    assert cfg.users["li"] == accounts.Account("li", "analyst", STORED, "411102001000")
    assert cfg.users["wang"].region is None


def test_a_broken_accounts_file_serves_nothing():
    at = app({"users": {}})
    assert any("账号配置文件" in e.value for e in at.error)
    assert any("中没有任何账号" in c.value for c in at.caption)
    assert pages(at) == set() and not at.metric


# ---- local mode: this computer only ---------------------------------------------------------------

def test_local_mode_says_so_and_lets_this_computer_write():
    at = run_app()
    assert any("单机模式" in c.value and "只有本机" in c.value for c in at.caption)
    assert pages(at) == {"overview", "upload", "history", "dictionary"}


def test_local_mode_refuses_another_computer(monkeypatch):
    monkeypatch.setattr(auth, "is_remote", lambda: True)
    at = app()
    assert any("只能在运行它的电脑上打开" in w.value for w in at.warning)
    assert pages(at) == set() and not at.metric
    assert auth.current_user() is None  # no writer, whatever page is asked for


def test_a_proxy_header_counts_as_another_computer(monkeypatch):
    class Context:
        ip_address = None  # a proxy on this machine: the socket is loopback
        headers = {"X-Forwarded-For": "10.0.0.7"}

    monkeypatch.setattr(auth.st, "context", Context())
    assert auth.is_remote()
    Context.headers = {}
    assert not auth.is_remote()


# ---- password mode ------------------------------------------------------------------------------

def test_anonymous_visitors_must_sign_in():
    at = app({"users": USERS})
    assert any("请先在左侧登录" in w.value for w in at.warning)
    assert pages(at) == set() and not at.metric


def test_public_dashboards_are_read_only_and_never_history_or_upload(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_PUBLIC_DASHBOARDS", "1")
    at = app({"users": USERS})
    assert len(at.metric) > 0  # the overview's figures
    assert pages(at) == {"overview", "dictionary"}  # history and upload are not offered (nor by their address)


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(password)
    next(b for b in at.button if b.label == "登录 Sign in").click()
    at.run()
    assert not at.exception, at.exception
    return at


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_sign_in_waits_after_a_failure_and_locks_after_ten(monkeypatch, caplog):
    clock = Clock()
    gate = signin.Throttle(clock=clock)
    monkeypatch.setattr(auth, "throttle", lambda: gate)
    at = app({"users": USERS})
    with caplog.at_level(logging.WARNING, logger="governance.auth"):
        sign_in(at, "li", "wrong")
    assert any("用户名或密码不正确" in e.value for e in at.error)
    assert "failed sign-in for 'li' (1 failures" in caplog.text
    sign_in(at, "li", "s3cret")  # right password, but within the 1 s that must pass after a failure
    assert any("请 1 秒后再试" in e.value for e in at.error)
    assert "auth_user" not in at.session_state
    clock.now += 1.5
    sign_in(at, "li", "s3cret")
    assert at.session_state["auth_user"] == "li"
    assert "upload" in pages(at)


def test_an_unknown_name_costs_a_hash_check_too(monkeypatch):
    checked = []
    monkeypatch.setattr(passwords, "verify_password", lambda pw, stored: checked.append(stored) or False)
    assert passwords.check("guess", None) is False
    assert len(checked) == 1 and checked[0].startswith(f"pbkdf2_sha256${passwords.ITERATIONS}$")


def test_an_idle_session_is_signed_out(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_SESSION_IDLE_MINUTES", "30")
    at = AppTest.from_file(APP, default_timeout=30)
    at.secrets["users"] = USERS
    at.session_state["auth_user"] = "li"
    at.session_state["auth_seen"] = time.time() - 29 * 60  # 29 minutes: still signed in
    at.run()
    assert at.session_state["auth_user"] == "li" and len(at.metric) > 0
    at.session_state["auth_seen"] = time.time() - 31 * 60
    at.run()
    assert "auth_user" not in at.session_state
    assert any("长时间未操作，已自动退出" in i.value for i in at.info)
    assert not at.metric


# ---- the throttle on its own clock -----------------------------------------------------------------

def test_the_delay_grows_and_ten_failures_lock_for_fifteen_minutes():
    clock = Clock()
    gate = signin.Throttle(clock=clock)
    waits = []
    for _ in range(9):
        gate.failed("user:li", "session:s1")
        waits.append(gate.wait("user:li"))
        clock.now += waits[-1]
        assert gate.wait("user:li") == 0
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert gate.failed("user:li", "session:s1") == 10
    assert gate.locked("user:li") and gate.wait("user:li") == 15 * 60
    assert gate.wait("session:s2", "user:wang") == 0  # another session and another user are not held up
    assert gate.locked("session:s1", "user:wang")  # but the locked session is, whoever it tries
    clock.now += 15 * 60 - 1
    assert gate.locked("user:li")
    clock.now += 1
    assert not gate.locked("user:li") and gate.wait("user:li") == 0
    assert gate.failed("user:li") == 1  # a fresh start after the lockout


def test_a_success_clears_the_count():
    clock = Clock()
    gate = signin.Throttle(clock=clock)
    for _ in range(3):
        gate.failed("user:li")
        clock.now += 10
    gate.succeeded("user:li")
    assert gate.failed("user:li") == 1 and gate.wait("user:li") == 1


def test_idle_expiry():
    assert not signin.idle_expired(None, 10_000, 30)
    assert not signin.idle_expired(0, 30 * 60, 30)
    assert signin.idle_expired(0, 30 * 60 + 1, 30)
    assert not signin.idle_expired(0, 10**9, 0)  # 0 turns it off


# ---- errors without internals -----------------------------------------------------------------------

def test_an_error_shows_a_reference_id_and_logs_the_traceback(monkeypatch, caplog):
    from governance.web.views import overview

    def boom(f):
        raise RuntimeError("/srv/governance/secret/path.py exploded")

    monkeypatch.setattr(overview, "attention_list", boom)
    with caplog.at_level(logging.ERROR, logger="governance.web"):
        at = run_app()  # asserts no exception reached Streamlit
    (shown,) = [e.value for e in at.error if "错误编号" in e.value]
    assert "/srv" not in shown and "RuntimeError" not in shown
    ref = shown.split("错误编号 ")[1][:6]
    assert len(ref) == 6 and f"error {ref} on page" in caplog.text
    assert "/srv/governance/secret/path.py exploded" in caplog.text and "Traceback" in caplog.text


def test_a_handled_error_is_logged_under_the_id_the_user_is_given(caplog):
    from governance.web import errors

    with caplog.at_level(logging.ERROR, logger="governance.web"):
        try:
            raise OSError(28, "No space left on device", "/srv/store/_delta_log/x.json")
        except OSError:
            shown = errors.logged("恢复未完成，数据未改变", "restore")
    ref = shown.split("错误编号 ")[1][:6]
    assert shown == f"恢复未完成，数据未改变（错误编号 {ref}）" and "/srv" not in shown
    assert f"error {ref} in restore" in caplog.text and "/srv/store/_delta_log/x.json" in caplog.text
