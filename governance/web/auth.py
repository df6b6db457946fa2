"""Who may write: one role check ("analyst") in front of upload and restore.

Three modes, from Streamlit secrets (.streamlit/secrets.toml):
- none configured: single-user local mode; everyone is an analyst, and the
  pages say so in a banner;
- ``[users.<name>]`` with ``password_hash`` (from ``python -m governance
  hash-password``) and ``role = "analyst" | "viewer"``: a sign-in form;
- an ``[auth]`` section: ``st.login`` with OIDC, and ``[roles] analysts =
  ["someone@example.org"]`` names who may write.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from governance.core.passwords import (  # noqa: F401  (tests call auth.hash_password)
    hash_password,
    verify_password,
)


@dataclass(frozen=True)
class User:
    name: str
    role: str  # analyst | viewer

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
        if any(Path(p).is_file() for p in _secret_paths()):
            raise SecretsBroken(f"secrets.toml 无法读取，暂停写入 cannot read secrets.toml: {e}") from e
        return {}


def _secret_paths() -> list[str]:
    try:
        from streamlit import config

        return list(config.get_option("secrets.files"))
    except Exception:
        return [".streamlit/secrets.toml", str(Path.home() / ".streamlit" / "secrets.toml")]


def mode() -> str:
    try:
        secrets = _secrets()
    except SecretsBroken:
        return "broken"
    if "auth" in secrets:
        return "oidc"
    if secrets.get("users"):
        return "password"
    return "local"


def current_user() -> User | None:
    m = mode()
    if m == "broken":
        return User("—", "viewer")
    if m == "local":
        return User("本机用户", "analyst")
    if m == "oidc":
        if not st.user.is_logged_in:
            return None
        email = st.user.get("email") or st.user.get("name") or "user"
        analysts = _secrets().get("roles", {}).get("analysts", [])
        return User(str(email), "analyst" if email in analysts else "viewer")
    name = st.session_state.get("auth_user")
    if not name:
        return None
    role = _secrets()["users"].get(name, {}).get("role", "viewer")
    return User(name, "analyst" if role == "analyst" else "viewer")


def sidebar() -> User | None:
    """The banner or the sign-in form, in the sidebar of every page."""
    m = mode()
    user = current_user()
    with st.sidebar:
        if m == "broken":
            st.error("账号配置文件无法读取，已暂停上传和恢复。请管理员检查 .streamlit/secrets.toml。 "
                     "secrets.toml is unreadable: writing is disabled.")
        elif m == "local":
            st.caption("单机模式：未配置账号，所有人均可上传和恢复数据。 Single-user local mode.")
        elif user:
            st.caption(f"当前用户：{user.name}（{'数据管理员' if user.can_write else '只读'}）")
            if st.button("退出登录 Sign out", key="auth_logout"):
                if m == "oidc":
                    st.logout()
                st.session_state.pop("auth_user", None)
                st.rerun()
        elif m == "oidc":
            if st.button("登录 Sign in", key="auth_login"):
                st.login()
        else:
            with st.form("auth_form"):
                name = st.text_input("用户名 User", key="auth_name")
                password = st.text_input("密码 Password", type="password", key="auth_password")
                if st.form_submit_button("登录 Sign in"):
                    stored = _secrets()["users"].get(name, {}).get("password_hash", "")
                    if stored and verify_password(password, stored):
                        st.session_state["auth_user"] = name
                        st.rerun()
                    st.error("用户名或密码不正确 wrong user name or password")
    return user


def require_analyst() -> User:
    """Stop the page unless the user may write."""
    user = current_user()
    if user is None:
        st.warning("请先在左侧登录。 Please sign in (sidebar).")
        st.stop()
    if not user.can_write:
        st.error("只有数据管理员可以上传或恢复数据。 Only analysts may upload or restore data.")
        st.stop()
    return user
