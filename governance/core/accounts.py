"""The accounts file (.streamlit/secrets.toml) read strictly: a closed door unless it is complete.

Modes:
- ``local``: no accounts file at all (or one with nothing about accounts in it): one person on this
  computer; the server listens on 127.0.0.1 only (.streamlit/config.toml) and refuses other clients;
- ``password``: ``[users.NAME]`` tables, each with ``password_hash`` and ``role``;
- ``oidc``: an ``[auth]`` section for st.login, with ``[roles] analysts = [...]``;
- ``broken``: an accounts file that exists but is empty or half-filled (an empty ``[users]``, only
  ``[roles]``, a user without a hash or a role, a region that is not a code). Issue 10: each of these
  used to fall back to local mode, i.e. anyone on the network could write. Broken closes the app.

``region`` (a 12-digit code) is read and carried on each account already; binding an account to a place
is enforced by the query layer (issue 10, item 1), not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ROLES = ("analyst", "viewer")
ACCOUNT_KEYS = ("users", "auth", "roles")
HASH = re.compile(r"^pbkdf2_sha256\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$")
CODE = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Account:
    name: str
    role: str  # analyst | viewer
    password_hash: str = ""  # empty for OIDC accounts
    region: str | None = None  # the place the account is bound to; None: the whole store


@dataclass
class Config:
    mode: str  # local | password | oidc | broken
    users: dict[str, Account] = field(default_factory=dict)
    analysts: tuple[str, ...] = ()  # OIDC: e-mails (or names) that may write
    regions: dict[str, str] = field(default_factory=dict)  # OIDC: e-mail -> the place it is bound to
    problems: list[str] = field(default_factory=list)


def read(secrets: dict, *, file_exists: bool) -> Config:
    """The accounts configuration from the secrets as a dict; ``file_exists`` says whether a secrets
    file is there at all (an empty file reads as {} too, and must not mean local mode)."""
    if not any(key in secrets for key in ACCOUNT_KEYS):
        if file_exists and not secrets:
            return Config("broken", problems=["secrets.toml 是空的：请添加 [users.用户名] 账号，或删除该文件以单机使用 "
                                              "secrets.toml is empty"])
        return Config("local")
    if "auth" in secrets:
        return _oidc(secrets)
    if "users" not in secrets:
        return Config("broken", problems=["只有 [roles]，没有 [users] 账号或 [auth] 登录配置 "
                                          "[roles] without [users] or [auth]"])
    return _password(secrets["users"])


def _oidc(secrets: dict) -> Config:
    roles = secrets.get("roles", {})
    analysts = roles.get("analysts", []) if isinstance(roles, dict) else None
    if not isinstance(analysts, list) or not all(isinstance(a, str) for a in analysts):
        return Config("broken", problems=["[roles] analysts 应为用户邮箱列表 [roles] analysts must be a list of e-mails"])
    # [roles.regions] "li@example.org" = "411122104000": an OIDC user bound to a place, as [users.x] region is
    regions = roles.get("regions", {})
    if not isinstance(regions, dict) or not all(isinstance(v, str) and CODE.match(v) for v in regions.values()):
        return Config("broken", problems=["[roles.regions] 应为 邮箱 = \"12位区划代码\" "
                                          "[roles.regions] must map e-mails to quoted 12-digit codes"])
    return Config("oidc", analysts=tuple(analysts), regions=dict(regions))


def _password(users) -> Config:
    if not isinstance(users, dict) or not users:
        return Config("broken", problems=["[users] 中没有任何账号 [users] has no accounts"])
    problems, accounts = [], {}
    for name, spec in users.items():
        if not isinstance(spec, dict):
            problems.append(f"用户 {name}：应写成 [users.{name}] 表 must be a [users.{name}] table")
            continue
        stored = spec.get("password_hash")
        if not isinstance(stored, str) or not HASH.match(stored):
            problems.append(f"用户 {name}：缺少或无效的 password_hash（用 python -m governance hash-password 生成）"
                            f" missing or malformed password_hash")
        role = spec.get("role")
        if role not in ROLES:
            problems.append(f"用户 {name}：role 应为 analyst 或 viewer role must be analyst or viewer")
        region = spec.get("region")
        if region is not None and not (isinstance(region, str) and CODE.match(region)):
            problems.append(f"用户 {name}：region 应为12位区划代码（加引号） region must be a quoted 12-digit code")
        if not problems:
            accounts[name] = Account(name, role, stored, region)
    if problems:
        return Config("broken", problems=problems)
    return Config("password", users=accounts)
