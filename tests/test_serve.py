"""`python -m governance serve`: the closed door before anything starts, and the nginx config it writes
(checked by Debian's nginx itself, `nginx -t`). The processes, the browser and a killed replica are in
tests/e2e/test_replicas.py."""

from __future__ import annotations

import subprocess

import pytest

from governance.core.passwords import hash_password
from governance.tools import cli, serve

BACKENDS = [serve.Backend("r1", "127.0.0.1:9001"), serve.Backend("r2", "127.0.0.1:9002")]


def _accounts(tmp_path, text: str):
    path = tmp_path / "secrets.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _config(tmp_path, forwarded: bool = False, host: str = "127.0.0.1") -> str:
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return serve.nginx_config(tmp_path, host, 8600, BACKENDS, forwarded=forwarded, max_body_mb=60)


def test_other_computers_need_accounts(tmp_path, capsys):
    missing = str(tmp_path / "none.toml")
    assert serve.accounts_config(missing).mode == "local"
    assert serve.door_problem("127.0.0.1", serve.accounts_config(missing)) is None
    assert "未配置账号" in serve.door_problem("0.0.0.0", serve.accounts_config(missing))
    # refused before a replica or nginx starts: no run folder is even made
    run = tmp_path / "run"
    assert cli.main(["serve", "--host", "0.0.0.0", "--secrets", missing, "--run-dir", str(run),
                     "--store", str(tmp_path / "store")]) == 2
    assert "未配置账号" in capsys.readouterr().err and not run.exists()


@pytest.mark.parametrize("text", ["", "[roles]\nanalysts = []\n", '[users.li]\nrole = "analyst"\n', "[users\n"],
                         ids=["empty", "roles-only", "no-hash", "not-toml"])
def test_a_broken_accounts_file_keeps_the_door_closed(tmp_path, text):
    cfg = serve.accounts_config(_accounts(tmp_path, text))
    assert cfg.mode == "broken"
    assert serve.door_problem("0.0.0.0", cfg).startswith("账号配置文件有误")


def test_complete_accounts_open_the_door(tmp_path):
    stored = hash_password("s3cret", iterations=1000)
    cfg = serve.accounts_config(_accounts(tmp_path, f'[users.li]\npassword_hash = "{stored}"\nrole = "viewer"\n'))
    assert cfg.mode == "password"
    assert serve.door_problem("0.0.0.0", cfg) is None


def test_nginx_accepts_the_config_it_is_given(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(_config(tmp_path), encoding="utf-8")
    nginx = serve.nginx_binary()
    done = subprocess.run([nginx, "-e", str(tmp_path / "error.log"), "-p", str(tmp_path), "-c", str(conf), "-t"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def test_routing_sticks_by_cookie_and_fails_over_to_the_other_replica(tmp_path):
    text = _config(tmp_path)
    assert "upstream gov_r1 { server 127.0.0.1:9001 max_fails=1 fail_timeout=5s; server 127.0.0.1:9002 backup; }" \
        in text
    assert "upstream gov_r2 { server 127.0.0.1:9002 max_fails=1 fail_timeout=5s; server 127.0.0.1:9001 backup; }" \
        in text
    assert "upstream gov_pool { least_conn; " in text  # new visitors: not by address (one address behind NAT)
    assert "ip_hash" not in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text and "listen 127.0.0.1:8600;" in text


def test_only_a_public_listener_names_the_client(tmp_path):
    # On loopback, nginx adds nothing: a browser on this computer comes as it comes to one server; a header
    # a client sends itself passes through (and the app then shows it the closed note).
    assert "X-Forwarded-For" not in _config(tmp_path)
    public = _config(tmp_path, forwarded=True, host="0.0.0.0")
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in public  # overwritten, never appended to
    assert "listen 0.0.0.0:8600;" in public


def test_the_browser_benchmark_reports_percentiles_per_kind_and_names_failed_steps():
    from governance.tools import bench_browser as bb

    level = bb.Level(2, 3, load=(4.0, 3.0, 2.0), spread={"r1": 2, "r2": 1},
                     cpu={"browsers": 30.0, "servers": 50.0, "machine_busy": 90.0, "machine_total": 100.0})
    level.samples = [bb.Sample("信访", "nav", 100.0 * i, 200.0 * i) for i in range(1, 6)]  # done 200..1000 ms
    level.samples += [bb.Sample("总览 (load)", "load", 900.0, 1500.0), bb.Sample("乡镇 filter", "filter", None, None,
                                                                              "TimeoutError")]
    s = bb.summary(level)
    assert (s["nav"]["done_p50"], s["nav"]["n"]) == (600.0, 5)  # the middle of 200, 400, 600, 800, 1000
    assert s["nav"]["done_p95"] == 200 + 0.95 * 4 * 200  # inclusive interpolation: 960 ms
    assert s["filter"]["n"] == 0 and s["errors"] == ["乡镇 filter: TimeoutError"]
    row = bb.table([level]).splitlines()[2]
    assert "| 2 | 3 | 0.90 s / 0.90 s | 1.50 s / 1.50 s |" in row
    assert "| 30% / 50% / 90% |" in row and "r1 2, r2 1" in row and row.endswith("| 4.0 |")
