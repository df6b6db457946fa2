"""Who may see and who may write: a closed door unless accounts say otherwise.

Modes come from Streamlit secrets (.streamlit/secrets.toml), read strictly by core/accounts.py:
- no accounts file: single-user local mode. The server listens on 127.0.0.1 only
  (.streamlit/config.toml), and a client that is not this computer (or comes through a proxy)
  is shown only a note: serving others requires accounts (issue 10: the default run let any
  machine on the LAN upload and restore);
- ``[users.<name>]`` with ``password_hash`` (``python -m governance hash-password``), ``role =
  "analyst" | "viewer"`` and optionally ``region``: visitors must sign in; the sign-in is
  throttled (core/signin.py) and an idle session is signed out;
- an ``[auth]`` section: ``st.login`` with OIDC, and ``[roles] analysts = [...]`` may write;
- a file that exists but is empty or half-filled: broken, nothing is served until it is fixed.

GOVERNANCE_PUBLIC_DASHBOARDS=1 lets visitors who have not signed in see the dashboards read-only;
never the history (uploaders' names, file names) or the upload page.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from governance.core import accounts, settings, signin
from governance.core.passwords import (  # noqa: F401  (tests call auth.hash_password)
    check,
    hash_password,
    verify_password,
)
from governance.core.text import md_escape

log = logging.getLogger("governance.auth")
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-Ip", "Forwarded")


@dataclass(frozen=True)
class User:
    name: str
    role: str  # analyst | viewer
    region: str | None = None  # the place an account is bound to (enforced by the query layer, issue 10 item 1)

    @property
    def can_write(self) -> bool:
        return self.role == "analyst"


class SecretsBroken(Exception):
    pass


def _secrets() -> dict:
    """The secrets, {} when there is no secrets file at all (local mode).

    A secrets file that exists but cannot be read must not open the app to
    everyone: that is an error, and nobody may write until it is fixed.
    """
    try:
        return st.secrets.to_dict()
    except Exception as e:
        if _file_exists():
            raise SecretsBroken(f"secrets.toml 无法读取 cannot read secrets.toml: {type(e).__name__}") from e
        return {}


def _secret_paths() -> list[str]:
    try:
        from streamlit import config

        return list(config.get_option("secrets.files"))
    except Exception:
        return [".streamlit/secrets.toml", str(Path.home() / ".streamlit" / "secrets.toml")]


def _file_exists() -> bool:
    return any(Path(p).is_file() for p in _secret_paths())


def config() -> accounts.Config:
    try:
        secrets = _secrets()
    except SecretsBroken as e:
        return accounts.Config("broken", problems=[str(e)])
    return accounts.read(secrets, file_exists=bool(secrets) or _file_exists())


def bound_places() -> list[str]:
    """The places accounts are bound to (password accounts' region, OIDC [roles.regions]): the offices the
    submission tracker expects ledgers from."""
    cfg = config()
    found = {a.region for a in cfg.users.values() if a.region} | set(cfg.regions.values())
    return sorted(found)


def mode() -> str:
    return config().mode


@st.cache_resource
def throttle() -> signin.Throttle:
    """One throttle for the server process: sessions are threads of it."""
    return signin.Throttle()


def is_remote() -> bool:
    """Whether this session's browser is on another machine. Streamlit reports None for loopback;
    a proxy in front makes every client loopback, so a proxy's forwarding header counts as remote."""
    try:
        ip = st.context.ip_address
        headers = st.context.headers
    except Exception:  # no client connection (bare mode): this computer
        return False
    # A real connection gives a str; AppTest's stand-in client gives a mock: no client, this computer.
    if isinstance(ip, str) and ip:
        return True
    return any(isinstance(headers.get(h), str) and headers.get(h) for h in PROXY_HEADERS)


def current_user() -> User | None:
    cfg = config()
    if cfg.mode == "broken":
        return None
    if cfg.mode == "local":
        return None if is_remote() else User("本机用户", "analyst")
    if cfg.mode == "oidc":
        if not st.user.is_logged_in:
            return None
        email = st.user.get("email") or st.user.get("name") or "user"
        return User(str(email), "analyst" if email in cfg.analysts else "viewer", cfg.regions.get(email))
    name = st.session_state.get("auth_user")
    account = cfg.users.get(name) if name else None
    if account is None:  # signed out, or the account was removed from the file meanwhile
        st.session_state.pop("auth_user", None)
        return None
    return User(account.name, account.role, account.region)


def _keep_alive(cfg: accounts.Config) -> None:
    """Sign out a session idle for longer than GOVERNANCE_SESSION_IDLE_MINUTES; else note this run."""
    now = time.time()
    signed_in = st.session_state.get("auth_user") or (cfg.mode == "oidc" and st.user.is_logged_in)
    if not signed_in:
        return
    if signin.idle_expired(st.session_state.get("auth_seen"), now, settings.session_idle_minutes()):
        log.info("session of %r signed out after %s idle minutes", st.session_state.get("auth_user"),
                 settings.session_idle_minutes())
        st.session_state.pop("auth_user", None)
        st.session_state.pop("auth_seen", None)
        st.session_state["auth_expired"] = True
        if cfg.mode == "oidc":
            st.logout()
        return
    st.session_state["auth_seen"] = now


def access(user: User | None) -> str:
    """What this visitor may open: "all" pages, only the "dashboards", or nothing ("closed")."""
    cfg = config()
    if cfg.mode == "broken":
        return "closed"
    if user is not None:
        return "all"
    return "dashboards" if settings.public_dashboards() else "closed"


def sidebar() -> User | None:
    """The banner or the sign-in form, in the sidebar of every page."""
    cfg = config()
    _keep_alive(cfg)
    user = current_user()
    with st.sidebar:
        if cfg.mode == "broken":
            st.error("账号配置文件有误，已暂停服务，请管理员检查 .streamlit/secrets.toml。 "
                     "The accounts file is broken: nothing is served until it is fixed.")
        elif cfg.mode == "local":
            if user is None:
                st.warning("单机模式：本看板未配置账号，只能在运行它的电脑上使用。 Local mode: this computer only.")
            else:
                st.caption("单机模式：未配置账号，只有本机（127.0.0.1）可以访问、上传和恢复；"
                           "要让其他电脑访问，请先配置账号（见 README）。 Single-user local mode: this computer only.")
        elif user:
            st.caption(f"当前用户：{md_escape(user.name)}（{'数据管理员' if user.can_write else '只读'}）")
            if st.button("退出登录 Sign out", key="auth_logout"):
                st.session_state.pop("auth_user", None)
                st.session_state.pop("auth_seen", None)
                if cfg.mode == "oidc":
                    st.logout()
                st.rerun()
        elif cfg.mode == "oidc":
            if st.button("登录 Sign in", key="auth_login"):
                st.login()
        else:
            _sign_in_form(cfg)
    return user


def _keys(name: str) -> list[str]:
    ctx = get_script_run_ctx()
    keys = [f"user:{name}", f"session:{ctx.session_id if ctx else '-'}"]
    try:
        ip = st.context.ip_address
    except Exception:
        ip = None
    if isinstance(ip, str) and ip:
        keys.append(f"ip:{ip}")
    return keys


def _sign_in_form(cfg: accounts.Config) -> None:
    if st.session_state.pop("auth_expired", False):
        st.info("长时间未操作，已自动退出，请重新登录。 Signed out after inactivity.")
    with st.form("auth_form"):
        name = st.text_input("用户名 User", key="auth_name")
        password = st.text_input("密码 Password", type="password", key="auth_password")
        if st.form_submit_button("登录 Sign in"):
            sign_in(cfg, name, password)


def sign_in(cfg: accounts.Config, name: str, password: str) -> None:
    """Check a password under the throttle; on success the session is signed in and reruns."""
    keys = _keys(name)
    gate = throttle()
    wait = gate.wait(*keys)
    if wait > 0:
        if gate.locked(*keys):
            st.error(f"登录失败次数过多，已锁定，请 {math.ceil(wait / 60)} 分钟后再试。 Too many failures: locked.")
        else:
            st.error(f"请 {math.ceil(wait)} 秒后再试。 Please wait {math.ceil(wait)} s before trying again.")
        return
    account = cfg.users.get(name)
    # An unknown name costs a hash check too, so the time taken does not say which names exist.
    if check(password, account.password_hash if account else None):
        gate.succeeded(*keys)
        st.session_state["auth_user"] = name
        st.session_state["auth_seen"] = time.time()
        log.info("sign-in of %r", name)
        st.rerun()
    failures = gate.failed(*keys)
    log.warning("failed sign-in for %r (%d failures under %s)", name, failures, ", ".join(keys[1:]))
    if failures >= gate.lock_after:
        log.warning("sign-in locked for %r for %d minutes", name, int(gate.lock_seconds // 60))
    st.error("用户名或密码不正确 wrong user name or password")


def closed_page() -> None:
    """What a visitor who may open nothing sees (as the app's only page)."""
    cfg = config()
    st.title("党建引领基层治理 · 指标看板")
    if cfg.mode == "broken":
        st.error("账号配置文件 .streamlit/secrets.toml 有误，为安全起见已暂停服务（不会退回到无账号的单机模式）。"
                 "请管理员修改后重启。 The accounts file is broken; nothing is served until it is fixed.")
        for problem in cfg.problems:
            st.caption(md_escape(problem))
    elif cfg.mode == "local":
        st.warning("本看板未配置账号，只能在运行它的电脑上打开。要让其他电脑访问，请管理员先在 "
                   ".streamlit/secrets.toml 中配置账号（见 README“账号”一节）。 "
                   "No accounts are configured: this dashboard is for the computer it runs on.")
    else:
        st.warning("请先在左侧登录。 Please sign in (sidebar).")


def require_user() -> User:
    """Stop the page unless someone is signed in (the history page: uploaders' names and file names)."""
    user = current_user()
    if user is None:
        st.warning("请先在左侧登录。 Please sign in (sidebar).")
        st.stop()
    return user


def require_analyst() -> User:
    """Stop the page unless the user may write."""
    user = require_user()
    if not user.can_write:
        st.error("只有数据管理员可以上传或恢复数据。 Only analysts may upload or restore data.")
        st.stop()
    return user
