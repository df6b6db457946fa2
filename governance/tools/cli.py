"""The command line of SPEC's "Command line" section: python -m governance ..."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from governance.core import contract, formatting, periods, settings
from governance.core.settings import store_root
from governance.store import Store, StoreError, open_store


def _store(args) -> Store:
    store = open_store(store_root(args.store))
    for warning in store.warnings:
        print(f"提示 {warning}", file=sys.stderr)
    return store


def _period_bounds(dataset: str, value: str, end: bool) -> str | None:
    """A --from/--to value as the month it starts (from) or ends (to); None when malformed.

    Months for every dataset; rating periods (2024, 2024-H1) too for branches (SPEC: Command line).
    """
    if periods.is_month(value):
        return value
    if dataset == "branches" and periods.RATING.match(value):
        if end:
            return periods.rating_end_month(value)
        return value[:4] + ("-07" if value.endswith("-H2") else "-01")
    return None


def cmd_demo(args) -> int:
    from governance.demo import generate as demo

    store = _store(args)
    counts = demo.write_demo(store, scale=args.scale)
    for key, rows in counts.items():
        print(f"{contract.dataset(key).zh} {key}: {rows:,} 行 rows")
    print(f"演示数据已写入 demo data written to {store.root} (版本 version {store.version()})")
    return 0


def cmd_indicators(args) -> int:
    from governance.metrics import indicators
    from queries import Engine

    if args.dataset not in contract.FACT_DATASETS:
        print(f"未知数据集 unknown dataset: {args.dataset}; 可选 {', '.join(contract.FACT_DATASETS)}", file=sys.stderr)
        return 2
    if args.region and contract.level_of_code(args.region) is None:
        print(f"区划代码须为12位数字 region code must be 12 digits: {args.region}", file=sys.stderr)
        return 2
    bounds = {}
    for flag, is_end in (("from_", False), ("to", True)):
        value = getattr(args, flag)
        if value:
            bounds[flag] = _period_bounds(args.dataset, value, is_end)
            if bounds[flag] is None:
                allowed = "YYYY-MM，或评定周期 YYYY / YYYY-H1 / YYYY-H2" if args.dataset == "branches" else "YYYY-MM"
                print(f"期间格式应为 {allowed} period must be {allowed}: {value}", file=sys.stderr)
                return 2
    as_of = None
    if args.as_of:
        try:
            as_of = dt.date.fromisoformat(args.as_of)
        except ValueError:
            print(f"日期格式应为 YYYY-MM-DD date must be YYYY-MM-DD: {args.as_of}", file=sys.stderr)
            return 2
    start_month, end_month = bounds.get("from_"), bounds.get("to")
    if start_month and end_month and start_month > end_month:
        print(f"起始期间晚于结束期间 --from is after --to: {args.from_} > {args.to}", file=sys.stderr)
        return 2
    store = _store(args)
    # one command, a few queries: building the settled counts (a second per dataset at province scale) would
    # cost more than it saves; the figures are the same either way
    engine = Engine(store, settle=False)
    version = engine.version()  # one version for every query of this command
    damaged = engine.damaged(version)
    if args.dataset in damaged:
        print(damaged[args.dataset], file=sys.stderr)
        return 1
    if args.region:
        if args.region not in set(indicators.places(engine, args.region, version=version)["region_code"]):
            print(f"行政区划表中没有该地区 unknown region: {args.region}", file=sys.stderr)
            return 1
    held = indicators.data_periods(engine, version)
    if not held[args.dataset] and any(held.values()):
        # other datasets have data: this one was never uploaded (a row of dashes would look like a reading)
        ds = contract.dataset(args.dataset)
        print(f"该存储中没有{ds.zh}数据 no {args.dataset} data in the store; "
              f"上传 upload: python -m governance ingest {args.dataset} FILE", file=sys.stderr)
        return 1
    end = end_month or indicators.latest_month(engine, version)
    if end is None and args.dataset == "branches":
        # a store that holds only ratings: the latest rating's end month
        rated = held["branches"]
        end = periods.rating_end_month(rated[-1]) if rated else None
    if end is None:
        print("没有数据 no data in the store; 先运行 run: python -m governance demo", file=sys.stderr)
        return 1
    start = start_month or end
    if start > end:
        start = end
    view = indicators.View(args.region, start, end)
    # SPEC: figures as of a view date (default today in the offices' time zone)
    head = indicators.headline(engine, args.dataset, view, version=version, today=as_of)
    values = head["current"]
    if args.json:
        print(json.dumps(values, ensure_ascii=False))
        return 0
    ds = contract.dataset(args.dataset)
    day = as_of or settings.today()
    print(f"{ds.zh} {args.dataset} · {periods.range_label_zh(view.start, view.end)} · {args.region or '全部地区'}"
          f" · 截至 as of {day.isoformat()}")
    immature = not head["mature"]["current"]
    for ind in ds.indicators:
        note = "  （办理期内 in progress）" if immature and ind.matures and values[ind.key] is not None else ""
        print(f"  {ind.zh:　<8} {ind.key:<22} {_fmt(values[ind.key], ind)}{note}")
    return 0


def _fmt(value, ind) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        suffix = "星" if ind.key == "stars_distribution" else ""
        return " ".join(f"{k}{suffix}:{v}" for k, v in value.items())
    if ind.unit == "%":
        return f"{formatting.display(value, ind):.1f}%"
    if ind.kind == "count":
        return f"{formatting.count(value)} {ind.unit}"  # a whole number, never 24.0
    if isinstance(value, float):
        return f"{value:,.2f} {ind.unit}"
    return f"{value:,} {ind.unit}"


def cmd_ingest(args) -> int:
    from pathlib import Path

    from governance.ingest.pipeline import ingest

    if args.dataset == "boundaries":  # the map's shapes: a GeoJSON, not a ledger
        return cmd_ingest_boundaries(args)
    if args.dataset not in contract.DATASETS:
        print(f"未知数据集 unknown dataset: {args.dataset}; 可选 {', '.join(contract.DATASETS)}, boundaries",
              file=sys.stderr)
        return 2
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as e:
        message = f"无法读取文件 cannot read file: {path}: {e.strerror}"
        if args.json:
            print(json.dumps({"accepted": False, "dataset": args.dataset, "rows": 0, "periods": [],
                              "errors": [{"row": 0, "column": "", "message": message}]}, ensure_ascii=False))
        else:
            print(message, file=sys.stderr)
        return 1
    # No size cap here (SPEC): a scheduled load may be large; the web upload keeps its cap.
    report = ingest(_store(args), args.dataset, data, path.name, dry_run=args.dry_run, sheet=args.sheet,
                    scope=args.scope, max_bytes=sys.maxsize)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
        return 0 if report.accepted else 1
    for p in report.problems:
        where = (f"第{p.row}行 {p.column}列" if p.column else f"第{p.row}行") if p.row else "文件"
        print(f"{'错误' if p.severity == 'error' else '提示'} {where}: {p.message}")
    if report.truncated:
        print(f"另有 {report.truncated} 个问题未列出 ({report.truncated} more)")
    if not report.accepted:
        print(f"已拒绝 refused: {path.name}，共 {len(report.errors)} 个错误，存储未改变 (store unchanged)")
        if report.guess:
            print(f"这个文件看起来是{contract.dataset(report.guess.dataset).zh}台账 this looks like "
                  f"{report.guess.dataset}: python -m governance ingest {report.guess.dataset} {args.file}")
        return 1
    _print_preview(report)
    verb = "可以接受（试运行，未写入） would be accepted (dry run)" if args.dry_run else f"已接受 accepted, 版本 version {report.version}"
    print(f"{verb}: {report.rows:,} 行 rows, 期间 periods {', '.join(report.periods)}")
    return 0


def cmd_ingest_boundaries(args) -> int:
    """`ingest boundaries FILE`: the upload page's GeoJSON check and commit (a new version, the old ones kept).
    Like the regions table they are replaced whole, so --scope is refused; the command line, like an account
    bound to no place, holds the whole tree (ingest/boundaries.py: is_top_account)."""
    from pathlib import Path

    from governance.ingest import boundaries as upload

    path = Path(args.file)
    errors: list[str] = []
    if args.scope:
        errors.append("行政区划边界整体替换，不能指定范围 boundaries are replaced whole: no --scope")
    if args.sheet:
        errors.append("行政区划边界是 GeoJSON 文件，没有工作表 boundaries are GeoJSON: no --sheet")
    if not errors:
        try:
            data = path.read_bytes()
        except OSError as e:
            errors.append(f"无法读取文件 cannot read file: {path}: {e.strerror}")
    report = None
    if not errors:
        store = _store(args)
        report = upload.upload(store.root, data, path.name, store.read("regions"), who=getpass_user(),
                               dry_run=args.dry_run)
        errors = report.errors
    accepted = not errors
    if args.json:
        print(json.dumps({"accepted": accepted, "dataset": "boundaries", "rows": len(report.shapes) if report else 0,
                          "periods": [], "errors": [{"row": 0, "column": "", "message": m} for m in errors],
                          "version": report.version if report else None,
                          "missing": [{"region_code": c, "name": n} for c, n in (report.missing if report else [])]},
                         ensure_ascii=False))
        return 0 if accepted else 1
    for message in errors:
        print(f"错误 {message}")
    if not accepted:
        print(f"已拒绝 refused: {path.name}，共 {len(errors)} 个问题，边界数据未改变 (boundaries unchanged)")
        return 1
    if report.missing:
        names = "、".join(f"{n}({c})" for c, n in report.missing[:30])
        print(f"提示 以下 {len(report.missing)} 个地点没有边界，地图上不画出 places without a shape: {names}"
              + (" …" if len(report.missing) > 30 else ""))
    verb = ("可以接受（试运行，未写入） would be accepted (dry run)" if args.dry_run
            else f"已接受 accepted, 边界第 {report.version} 版 boundaries version {report.version}")
    print(f"{verb}: {len(report.shapes):,} 个地点的边界 shapes")
    return 0


def getpass_user() -> str:
    """Who ran the command (recorded with the boundaries' version, as a ledger's commit records it)."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no passwd entry in some containers
        return "unknown"


def _print_preview(report) -> None:
    scope = "、".join(f"{s['name']}({s['code']})" for s in report.scope)
    print(f"范围 scope: {scope}；替换 {report.places_replaced} 个地点的 {report.rows_replaced:,} 行现有数据 "
          f"(replaces {report.rows_replaced:,} rows in {report.places_replaced} places)")
    for p in report.preview:
        mark = "  ⚠ 将被清空 EMPTIED" if p["rows_now"] and not p["rows_after"] else ""
        print(f"  {p['period']:<8} {p['name']}({p['region_code']}) {p['rows_now']:>7,} → {p['rows_after']:>7,}{mark}")
    for p in report.emptied:
        print(f"警告 WARNING: {p['period']} {p['name']} 现有 {p['rows_now']} 行，上传后将没有数据 "
              f"(this upload empties {p['region_code']} in {p['period']})", file=sys.stderr)


def cmd_history(args) -> int:
    if args.dataset == "boundaries":
        return _boundaries_history(args)
    store = _store(args)
    try:
        rows = store.history(args.dataset)
    except KeyError as e:
        print(e.args[0], file=sys.stderr)
        return 2
    broken_log = store.log_damage(args.dataset)
    if broken_log:  # the history cannot be read: say so, never "no versions"
        print(broken_log, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print(f"{args.dataset}: 没有版本 no versions")
    actions = {"ingest": "上传", "demo": "演示", "restore": "恢复"}
    if rows:
        print(f"时间 times: {settings.office_tz().key}")
    for r in rows:
        mark = "*" if r["current"] else " "
        scope = "、".join(r["scope"]) if r["scope"] else "全部"
        what = actions.get(r["action"], r["action"])
        if r["action"] == "restore":
            what += f"至第{r['restored_version']}版"
        print(f"{mark} v{r['version']:<4} {formatting.office_time(r['at'])}  {what:<8} {r['who']:<10} {','.join(r['periods']):<20} "
              f"范围 {scope}  {r['replaced']:>7,} → {r['rows']:>7,} 行  {r['source']}  {(r['source_sha256'] or '')[:12]}")
    return 0


def _boundaries_history(args) -> int:
    from governance.store import boundaries as stored

    rows = stored.history(_store(args).root)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print("boundaries: 没有版本 no versions")
    actions = {"upload": "上传", "demo": "演示", "restore": "恢复"}
    if rows:
        print(f"时间 times: {settings.office_tz().key}")
    for r in rows:
        what = actions.get(r["action"], r["action"]) + (f"至第{r['restored_from']}版" if r["restored_from"] else "")
        print(f"{'*' if r is rows[0] else ' '} v{r['version']:<4} {formatting.office_time(r['when'])}  {what:<8} {r['who']:<10} "
              f"{r['shapes']:>6,} 个边界  {r['source']}  {(r['sha256'] or '')[:12]}")
    return 0


def cmd_rollback(args) -> int:
    store = _store(args)
    try:
        result, restored = store.rollback(args.dataset, args.period, scope=[args.scope] if args.scope else None)
    except (StoreError, KeyError, ValueError) as e:
        print(f"回滚失败 rollback refused: {e.args[0]}", file=sys.stderr)
        return 1
    what = f"第 {restored} 版 version {restored}" if restored else "无数据（撤销首次上传） no data (first upload undone)"
    where = f"范围 {args.scope} " if args.scope else ""
    print(f"{args.dataset} {args.period} {where}已恢复为 restored to {what}; 新版本 new version {result.version}")
    return 0


def cmd_vacuum(args) -> int:
    store = _store(args)
    try:
        done = store.vacuum(keep_days=args.keep_days)
    except (StoreError, OSError) as e:
        print(f"清理失败 vacuum failed: {e}", file=sys.stderr)
        return 1
    print(f"已清理 {len(done['removed'])} 个文件，释放 {done['bytes'] / 1024**2:.1f} MB "
          f"(removed {len(done['removed'])} files; kept every version of the last {args.keep_days:g} days)")
    return 0


def cmd_migrate(args) -> int:
    from governance.store import migrate

    root = store_root(args.store)
    if not migrate.needed(root):
        print(f"无需转换 nothing to convert: {root} 已是 Delta 格式或没有旧数据")
        return 0
    store = open_store(root)  # converts on open
    print(f"已转换为 Delta Lake converted: {root}; 版本 version {store.version()}")
    return 0


def cmd_hash_password(args) -> int:
    import getpass as gp

    from governance.core.passwords import hash_password

    password = gp.getpass("密码 Password: ")
    if not password or password != gp.getpass("再次输入 Again: "):
        print("两次输入不一致或为空 passwords differ or are empty", file=sys.stderr)
        return 1
    print(f'password_hash = "{hash_password(password)}"')
    return 0


def cmd_bench(args) -> int:
    if args.browser:
        from governance.tools import bench_browser

        return bench_browser.main(scale=args.scale or "county", store_dir=args.store, sessions=args.sessions,
                                  replicas=args.replicas)
    from governance.tools import bench

    if args.briefing:
        return bench.briefing_main(scale=args.scale or "county", store_dir=args.store, repeat=args.repeat or 3)
    return bench.main(scale=args.scale or "province", store_dir=args.store, repeat=args.repeat or 15)


def cmd_serve(args) -> int:
    from governance.tools import serve

    return serve.main(replicas=args.replicas, port=args.port, host=args.host, store_dir=args.store,
                      run_dir=args.run_dir, secrets_file=args.secrets)


def cmd_brief(args) -> int:
    from governance.briefing import files
    from governance.briefing import pack as briefing
    from governance.charts import images
    from queries import Engine

    if args.region and contract.level_of_code(args.region) is None:
        print(f"区划代码须为12位数字 region code must be 12 digits: {args.region}", file=sys.stderr)
        return 2
    if args.period and not periods.is_month(args.period):
        print(f"月份格式应为 YYYY-MM month must be YYYY-MM: {args.period}", file=sys.stderr)
        return 2
    try:
        kind = files.output_kind(args.out)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    engine = Engine(_store(args))
    try:
        pack = briefing.build(engine, args.region, args.period)
        written = files.write(pack, args.out)
        for message in engine.damaged(pack.version).values():  # the 通报 says the section is withheld; so do we
            print(f"警告 WARNING: {message}", file=sys.stderr)
    except briefing.NoDataError as e:
        print(f"没有可生成简报的数据 no data for this briefing: {e}", file=sys.stderr)
        return 1
    except (images.ExportError, OSError) as e:
        print(f"简报生成失败 briefing failed: {e}", file=sys.stderr)
        return 1
    finally:
        engine.close()
    what = {"pptx": "演示文稿 deck", "pdf": "PDF", "docx": "Word 通报 notice", "md": "通报 notice (Markdown)",
            "folder": f"{len(written) - 2} 张图、summary.md 和 notice.md ({len(written) - 2} PNGs + summary.md + "
                      f"notice.md)"}[kind]
    print(f"{pack.title} · {pack.month_label}: {what} 已写入 written to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m governance", description="党建引领基层治理 indicators")
    sub = p.add_subparsers(dest="command", required=True)

    def with_store(sp):
        sp.add_argument("--store", help="store folder (default: $GOVERNANCE_STORE, else data/store)")
        return sp

    d = with_store(sub.add_parser("demo", help="write the synthetic demo data"))
    d.add_argument("--scale", choices=("county", "province", "national"), default="county")
    d.set_defaults(func=cmd_demo)

    i = with_store(sub.add_parser("indicators", help="print a dataset's indicators"))
    i.add_argument("dataset")
    i.add_argument("--region")
    i.add_argument("--from", dest="from_")
    i.add_argument("--to")
    i.add_argument("--json", action="store_true")
    i.add_argument("--as-of", dest="as_of", help="read the figures as they stood on this day (YYYY-MM-DD; default today)")
    i.set_defaults(func=cmd_indicators)

    g = with_store(sub.add_parser("ingest", help="validate and load a ledger file (CSV or .xlsx), "
                                                    "or `boundaries FILE.geojson`, the map's shapes"))
    g.add_argument("dataset")
    g.add_argument("file")
    g.add_argument("--dry-run", action="store_true")
    g.add_argument("--json", action="store_true")
    g.add_argument("--sheet", help="worksheet name for .xlsx (default: the first)")
    g.add_argument("--scope", help="12-digit code of the place the file replaces (default: the towns it holds)")
    g.set_defaults(func=cmd_ingest)

    h = with_store(sub.add_parser("history", help="list a dataset's versions (or the boundaries')"))
    h.add_argument("dataset")
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=cmd_history)

    r = with_store(sub.add_parser("rollback", help="restore a period's previous version"))
    r.add_argument("dataset")
    r.add_argument("period")
    r.add_argument("--scope", help="12-digit code: restore only this place's rows (default: every place)")
    r.set_defaults(func=cmd_rollback)

    v = with_store(sub.add_parser("vacuum", help="remove files no kept version reads"))
    v.add_argument("--keep-days", type=float, default=30)
    v.set_defaults(func=cmd_vacuum)

    m = with_store(sub.add_parser("migrate", help="convert an old (manifest) store to Delta tables"))
    m.set_defaults(func=cmd_migrate)

    sub.add_parser("hash-password", help="print a password hash for .streamlit/secrets.toml").set_defaults(
        func=cmd_hash_password)

    b = with_store(sub.add_parser("bench", help="benchmark the pages' queries against pandas"))
    b.add_argument("--scale", choices=("county", "province", "national"),
                   help="default province (county: --briefing, --browser)")
    b.add_argument("--repeat", type=int, help="timed rounds (default 15; 3 with --briefing)")
    b.add_argument("--briefing", action="store_true", help="time the briefing pack instead (whole pack, each format)")
    b.add_argument("--browser", action="store_true",
                   help="real Chromium sessions against `serve --replicas R` (page times, CPU, memory)")
    b.add_argument("--sessions", default="1,10,20", help="--browser: concurrent sessions per run (default 1,10,20)")
    b.add_argument("--replicas", default="1,2", help="--browser: replica counts to measure (default 1,2)")
    b.set_defaults(func=cmd_bench)

    sv = with_store(sub.add_parser("serve", help="N Streamlit replicas behind nginx on this machine"))
    sv.add_argument("--replicas", type=int, default=2)
    sv.add_argument("--port", type=int, default=8501, help="nginx's port (default 8501)")
    sv.add_argument("--host", default="127.0.0.1",
                    help="nginx's address (default 127.0.0.1; any other needs accounts, README: Accounts)")
    sv.add_argument("--run-dir", dest="run_dir", help="folder for nginx.conf, logs and serve.json (default: a new temp folder)")
    sv.add_argument("--secrets", help="accounts file (default: .streamlit/secrets.toml as Streamlit reads it)")
    sv.set_defaults(func=cmd_serve)

    br = with_store(sub.add_parser("brief", help="write the briefing pack: .pptx, .pdf, .docx, .md or a folder"))
    br.add_argument("--region", help="12-digit place code (default: the store's home place)")
    br.add_argument("--period", help="month YYYY-MM (default: the latest month with data)")
    br.add_argument("--out", required=True, help="PATH.pptx, PATH.pdf, PATH.docx (通报), PATH.md (通报), or an existing folder")
    br.set_defaults(func=cmd_brief)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # here, not at exit: a reader that stopped reading (`| head`) is seen below
        return code
    except StoreError as e:
        # a damaged, full or read-only store: a message, never a traceback
        print(f"存储错误 store error: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # the reader stopped reading (`| head`): not a store fault. Python would complain again when it
        # flushes stdout at exit, so point stdout at nothing first.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # what a shell reports for a command ended by SIGPIPE
    except OSError as e:
        print(f"无法访问存储或文件 cannot access the store or a file: {e.strerror or e}"
              f"{' (' + str(e.filename) + ')' if e.filename else ''}", file=sys.stderr)
        return 1
