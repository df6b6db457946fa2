"""python -m governance serve --replicas N: N Streamlit processes on one machine, Debian's nginx in front.

One Streamlit process is one Python interpreter: every session's rerun shares its GIL (issue 14 measured about
one rerun per second in total, whatever the number of sessions). Replicas are separate processes over the one
store; each pins a store version per run, so a commit through one shows in the others on their next rerun.

- Replicas listen on 127.0.0.1 only, each on its own port, with the same GOVERNANCE_STORE and one shared
  cookie secret (st.login's cookie must verify on whichever replica a browser lands on).
- nginx (run as an ordinary child: its config, pid, logs and temp files in the run folder; no root config)
  routes by a cookie naming the replica (``gov_replica``): a session's websocket, its uploads and its
  downloads (kept in the memory of the replica that made them) reach the same process. A browser without the
  cookie goes to the replica with the fewest open connections (websockets count), not by address: behind NAT
  or another proxy, and for browsers on this machine, every visitor has the same address, so ``ip_hash``
  would send them all to one replica.
- A replica that dies is started again on its port; meanwhile nginx sends its cookie's holders to another
  replica (``backup``) and the browser's own reconnect opens a new session there.
- The closed door (governance/web/auth.py) stays closed: without accounts nginx listens on loopback only and
  passes no forwarding header of its own, exactly as a browser on this computer reaches a single server;
  ``--host`` anywhere else requires a complete accounts file, and then nginx names the client
  (X-Forwarded-For, overwritten, never appended to), so even an accounts file removed while serving leaves
  other computers at the closed note.
"""

from __future__ import annotations

import json
import os
import secrets as secrets_mod
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from governance.core import accounts
from governance.core.settings import PROJECT_ROOT, store_root
from governance.ingest.readers import DEFAULT_MAX_UPLOAD_MB

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
COOKIE = "gov_replica"
STARTUP_TIMEOUT_S = 120  # a replica's first health answer (imports, on a loaded machine)
POLL_S = 0.5  # how often the supervisor looks at its children
RESTART_BACKOFF_S = (1, 2, 5, 10, 30)  # waits before restarting a replica that keeps dying at once


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def healthy(url: str, timeout: float = 2) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to loopback, no proxy
    try:
        with opener.open(url, timeout=timeout) as r:
            return r.status == 200 and r.read().decode().strip() == "ok"
    except OSError:
        return False


# ---- the closed door ---------------------------------------------------
def secrets_files(explicit: str | None) -> list[Path]:
    """The files Streamlit reads secrets from when started in the project folder (global, then project)."""
    if explicit:
        return [Path(explicit)]
    return [Path.home() / ".streamlit" / "secrets.toml", PROJECT_ROOT / ".streamlit" / "secrets.toml"]


def accounts_config(explicit: str | None) -> accounts.Config:
    """The accounts as the replicas will read them (core/accounts.py decides the mode)."""
    merged, exists = {}, False
    for path in secrets_files(explicit):
        if not path.is_file():
            continue
        exists = True
        try:
            merged.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            return accounts.Config("broken", problems=[f"{path} 无法读取 cannot read: {type(e).__name__}"])
    return accounts.read(merged, file_exists=exists)


def door_problem(host: str, cfg: accounts.Config) -> str | None:
    """Why serving on `host` would open the door, or None. Other computers need complete accounts."""
    if host in LOOPBACK:
        return None
    if cfg.mode == "broken":
        return "账号配置文件有误 the accounts file is broken: " + "；".join(cfg.problems)
    if cfg.mode == "local":
        return (f"未配置账号，不能在 {host} 上对其他电脑提供服务：请先在 .streamlit/secrets.toml 中添加账号"
                f"（见 README 账号一节），或去掉 --host 只供本机使用。 No accounts: refusing to serve other computers "
                f"on {host}; add accounts first (README: Accounts) or serve this computer only.")
    return None


# ---- nginx ----------------------------------------------------------------
def nginx_binary() -> str | None:
    """Debian's nginx (/usr/sbin is not on an ordinary user's PATH)."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)


@dataclass
class Backend:
    name: str  # the cookie's value, r1, r2, ...
    address: str  # host:port


def nginx_config(run_dir: Path, host: str, port: int, backends: list[Backend], *, forwarded: bool,
                 max_body_mb: int) -> str:
    """nginx.conf for `backends` behind one listener; every path it writes is under `run_dir`."""
    run = run_dir.resolve()
    tmp = run / "tmp"
    listen = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    # root starts the workers as nobody (nginx's default), who must be able to write the temp folders
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    others = lambda b: [o for o in backends if o is not b]  # noqa: E731

    def upstream(name: str, primary: list[Backend], backup: list[Backend], method: str = "") -> str:
        lines = [f"server {b.address} max_fails=1 fail_timeout=5s;" for b in primary]
        lines += [f"server {b.address} backup;" for b in backup]
        return f"upstream {name} {{ {method}{' '.join(lines)} }}"

    pools = "\n    ".join(
        [upstream("gov_pool", backends, [], "least_conn; ")]
        + [upstream(f"gov_{b.name}", [b], others(b)) for b in backends])
    by_cookie = "\n        ".join(f"{b.name} gov_{b.name};" for b in backends)
    # $upstream_addr lists every address tried ("a, b" after a failover): the last one answered.
    served = "\n        ".join(f"~{_regex(b.address)}$ {b.name};" for b in backends)
    # Behind a public listener nginx says who the client is (overwriting what the client sent), so the app
    # treats them as other computers; on loopback it adds nothing, as a browser on this computer comes.
    forward = ("proxy_set_header X-Forwarded-For $remote_addr;\n            "
               "proxy_set_header X-Real-IP $remote_addr;\n            "
               "proxy_set_header X-Forwarded-Proto $scheme;") if forwarded else ""
    return f"""# generated by `python -m governance serve`; edited copies belong elsewhere (docs/deployment.md)
daemon off;
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
{user}
events {{ worker_connections 4096; }}
http {{
    log_format gov '$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time '
                   'cookie=$cookie_{COOKIE} upstream=$upstream_addr';
    access_log {run}/access.log gov;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size {max_body_mb}m;
    server_tokens off;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    map $cookie_{COOKIE} $gov_backend {{
        default gov_pool;
        {by_cookie}
    }}
    map $upstream_addr $gov_served {{
        default "";
        {served}
    }}
    map $gov_served $gov_cookie {{
        "" "";
        default "{COOKIE}=$gov_served; Path=/; HttpOnly; SameSite=Lax";
    }}
    {pools}
    server {{
        listen {listen};
        location / {{
            proxy_pass http://$gov_backend;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            # Streamlit's page talks over one websocket (/_stcore/stream) for the whole session
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            {forward}
            proxy_connect_timeout 5s;
            # a session's websocket stays open for hours; a cold page run may take a while
            proxy_read_timeout 1d;
            proxy_send_timeout 1d;
            proxy_buffering off;
            proxy_next_upstream error timeout;
            add_header Set-Cookie $gov_cookie always;
            add_header X-Governance-Replica $gov_served always;
        }}
    }}
}}
"""


def _regex(address: str) -> str:
    return address.replace(".", r"\.").replace("[", r"\[").replace("]", r"\]")


# ---- the processes -------------------------------------------------------
@dataclass
class Child:
    name: str
    cmd: list[str]
    log_path: Path
    env: dict[str, str]
    port: int = 0
    proc: subprocess.Popen | None = None
    starts: int = 0
    died_at: list[float] = field(default_factory=list)
    next_start: float = 0.0

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            # its own session: a terminal's Ctrl-C reaches the supervisor, which stops children in order
            self.proc = subprocess.Popen(self.cmd, cwd=PROJECT_ROOT, env=self.env, stdout=log,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.starts += 1

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, wait_s: float = 10) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        for s, w in ((sig, wait_s), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.proc.pid, s)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(timeout=w)
                return
            except subprocess.TimeoutExpired:
                continue

    def schedule_restart(self, now: float) -> float:
        """When to start a dead child again: at once, unless it keeps dying right after starting."""
        self.died_at = [t for t in self.died_at if now - t < 60] + [now]
        wait = RESTART_BACKOFF_S[min(len(self.died_at), len(RESTART_BACKOFF_S)) - 1] if len(self.died_at) > 1 else 0
        self.next_start = now + wait
        return wait


def replica(name: str, port: int, run_dir: Path, env: dict[str, str], secrets_file: str | None) -> Child:
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    if secrets_file:
        cmd += ["--secrets.files", str(Path(secrets_file).resolve())]
    return Child(name, cmd, run_dir / f"{name}.log", env, port=port)


def shared_cookie_secret() -> str | None:
    """A cookie secret for every replica, unless one is configured already (environment or config.toml)."""
    if os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET"):
        return None
    config = PROJECT_ROOT / ".streamlit" / "config.toml"
    try:
        if tomllib.loads(config.read_text(encoding="utf-8")).get("server", {}).get("cookieSecret"):
            return None
    except (OSError, tomllib.TOMLDecodeError):
        pass
    return secrets_mod.token_hex(32)


def ensure_store(root: Path) -> None:
    """An empty store gets the demo county before the replicas start, so they do not race to build it."""
    from governance.demo import generate as demo
    from governance.store import Store

    store = Store(root)
    if store.is_empty():
        print(f"空存储，正在生成演示县数据 empty store: building the demo county in {root}", flush=True)
        demo.write_demo(store, scale="county")


def write_state(run_dir: Path, url: str, nginx: Child, replicas: list[Child]) -> None:
    """serve.json in the run folder: the address and each process (for operators, tests and the benchmark)."""
    state = {"url": url, "nginx_pid": nginx.proc.pid if nginx.alive() else None,
             "replicas": [{"name": r.name, "port": r.port, "pid": r.proc.pid if r.alive() else None,
                           "starts": r.starts} for r in replicas]}
    tmp = run_dir / "serve.json.tmp"
    tmp.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(run_dir / "serve.json")


class Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise Stop(signum)


def main(replicas: int, port: int, host: str, store_dir: str | None, run_dir: str | None,
         secrets_file: str | None) -> int:
    nginx_bin = nginx_binary()
    if nginx_bin is None:
        print("找不到 nginx：请先运行 bash .ci/setup app（apt-get install nginx） nginx not found", file=sys.stderr)
        return 2
    if replicas < 1:
        print("--replicas 至少为 1 at least one replica", file=sys.stderr)
        return 2
    problem = door_problem(host, accounts_config(secrets_file))
    if problem:
        print(problem, file=sys.stderr)
        return 2
    root = store_root(store_dir)
    ensure_store(root)
    run = Path(run_dir) if run_dir else Path(tempfile.mkdtemp(prefix="governance-serve-"))
    (run / "tmp").mkdir(parents=True, exist_ok=True)
    (run / "serve.json").unlink(missing_ok=True)  # a previous run's processes are not these
    if os.geteuid() == 0:  # nginx's workers run as nobody: they write request bodies under tmp/
        run.chmod(0o755)
        nobody = __import__("pwd").getpwnam("nobody")
        os.chown(run / "tmp", nobody.pw_uid, nobody.pw_gid)

    env = {**os.environ, "GOVERNANCE_STORE": str(root.resolve()), "PYTHONUNBUFFERED": "1"}
    cookie_secret = shared_cookie_secret()
    if cookie_secret:
        env["STREAMLIT_SERVER_COOKIE_SECRET"] = cookie_secret
    children = [replica(f"r{i + 1}", free_port(), run, env, secrets_file) for i in range(replicas)]
    backends = [Backend(c.name, f"127.0.0.1:{c.port}") for c in children]
    conf = run / "nginx.conf"
    conf.write_text(nginx_config(run, host, port, backends, forwarded=host not in LOOPBACK,
                                 max_body_mb=_body_cap_mb()), encoding="utf-8")
    nginx = Child("nginx", [nginx_bin, "-e", str(run / "error.log"), "-p", str(run), "-c", str(conf)],
                  run / "nginx.out", dict(os.environ))
    url = f"http://{'localhost' if host in LOOPBACK else host}:{port}"

    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        test = subprocess.run([*nginx.cmd, "-t", "-q"], capture_output=True, text=True)
        if test.returncode != 0:
            print(f"nginx 配置有误 nginx refused its config:\n{test.stderr}", file=sys.stderr)
            return 1
        for c in children:
            c.start()
        print(f"启动 {replicas} 个副本 starting {replicas} replicas; 日志 logs in {run}", flush=True)
        if not _wait_healthy(children):
            return 1
        nginx.start()
        deadline = time.monotonic() + 10
        probe = "127.0.0.1" if host in LOOPBACK or host == "0.0.0.0" else host
        while not healthy(f"http://{probe}:{port}/_stcore/health"):
            if not nginx.alive() or time.monotonic() > deadline:
                print(f"nginx 未能启动 nginx did not start:\n{_tail(run / 'error.log')}", file=sys.stderr)
                return 1
            time.sleep(0.2)
        write_state(run, url, nginx, children)
        print(f"已在 {url} 提供服务 serving on {url} ({replicas} 个副本 replicas, 存储 store {root})", flush=True)
        _supervise(run, url, nginx, children)
    except (KeyboardInterrupt, Stop):
        print("正在停止 stopping", flush=True)
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # a second Ctrl-C must not leave children behind
            signal.signal(s, signal.SIG_IGN)
        nginx.stop(signal.SIGQUIT)  # graceful: open requests finish
        for c in children:
            c.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for s, h in previous.items():
            signal.signal(s, h)
    return 0


def _wait_healthy(children: list[Child]) -> bool:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    waiting = list(children)
    while waiting:
        for c in list(waiting):
            if healthy(f"http://127.0.0.1:{c.port}/_stcore/health"):
                waiting.remove(c)
            elif not c.alive() or time.monotonic() > deadline:
                print(f"副本 {c.name} 未能启动 replica {c.name} did not start:\n{_tail(c.log_path)}", file=sys.stderr)
                return False
        time.sleep(0.2)
    return True


def _supervise(run: Path, url: str, nginx: Child, children: list[Child]) -> None:
    """Forever: start again whatever died (replicas on their own port, so nginx's config holds)."""
    while True:
        now = time.monotonic()
        changed = False
        for c in [*children, nginx]:
            if c.alive():
                continue
            if c.proc is not None:  # just died
                wait = c.schedule_restart(now)
                print(f"{c.name} 已退出 exited ({c.proc.returncode}); {wait:g} 秒后重启 restarting in {wait:g} s",
                      flush=True)
                c.proc = None
                changed = True
            if now >= c.next_start:
                c.start()
                changed = True
        if changed:
            write_state(run, url, nginx, children)
        time.sleep(POLL_S)


def _body_cap_mb() -> int:
    """nginx's cap on a request body: above the app's own (Streamlit's maxUploadSize and the web upload's
    GOVERNANCE_MAX_UPLOAD_MB, both 50 MB by default), so the app, not nginx, says what is too big."""
    try:
        app_cap = float(os.environ.get("GOVERNANCE_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
    except ValueError:
        app_cap = DEFAULT_MAX_UPLOAD_MB
    return int(max(app_cap, DEFAULT_MAX_UPLOAD_MB)) + 10  # multipart framing


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""
