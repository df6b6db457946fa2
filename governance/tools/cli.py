"""The command line of SPEC's "Command line" section: python -m governance ..."""

from __future__ import annotations

import argparse
import json
import sys

from governance.core import contract, formatting, periods
from governance.core.settings import store_root
from governance.store.snapshots import Store, StoreError


def _store(args) -> Store:
    return Store(store_root(args.store))


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
    for flag in ("from_", "to"):
        value = getattr(args, flag)
        if value and not periods.is_month(value):
            print(f"月份格式应为 YYYY-MM month must be YYYY-MM: {value}", file=sys.stderr)
            return 2
    if args.from_ and args.to and args.from_ > args.to:
        print(f"起始月份晚于结束月份 --from is after --to: {args.from_} > {args.to}", file=sys.stderr)
        return 2
    engine = Engine(_store(args))
    if args.region:
        if args.region not in set(indicators.places(engine, args.region)["region_code"]):
            print(f"行政区划表中没有该地区 unknown region: {args.region}", file=sys.stderr)
            return 1
    end = args.to or indicators.latest_month(engine)
    if end is None:
        print("没有数据 no data in the store; 先运行 run: python -m governance demo", file=sys.stderr)
        return 1
    view = indicators.View(args.region, args.from_ or end, end)
    values = indicators.headline(engine, args.dataset, view)["current"]
    if args.json:
        print(json.dumps(values, ensure_ascii=False))
        return 0
    ds = contract.dataset(args.dataset)
    print(f"{ds.zh} {args.dataset} · {periods.range_label_zh(view.start, view.end)} · {args.region or '全部地区'}")
    for ind in ds.indicators:
        print(f"  {ind.zh:　<8} {ind.key:<22} {_fmt(values[ind.key], ind)}")
    return 0


def _fmt(value, ind) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        return " ".join(f"{k}星:{v}" for k, v in value.items())
    if ind.unit == "%":
        return f"{formatting.display(value, ind):.1f}%"
    if isinstance(value, float):
        return f"{value:,.2f} {ind.unit}"
    return f"{value:,} {ind.unit}"


def cmd_ingest(args) -> int:
    from pathlib import Path

    from governance.ingest.pipeline import ingest

    if args.dataset not in contract.DATASETS:
        print(f"未知数据集 unknown dataset: {args.dataset}; 可选 {', '.join(contract.DATASETS)}", file=sys.stderr)
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
    report = ingest(_store(args), args.dataset, data, path.name, dry_run=args.dry_run, sheet=args.sheet)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
        return 0 if report.accepted else 1
    for p in report.problems:
        where = f"第{p.row}行 {p.column}列" if p.row else "文件"
        print(f"{'错误' if p.severity == 'error' else '提示'} {where}: {p.message}")
    if report.truncated:
        print(f"另有 {report.truncated} 个问题未列出 ({report.truncated} more)")
    if not report.accepted:
        print(f"已拒绝 refused: {path.name}，共 {len(report.errors)} 个错误，存储未改变 (store unchanged)")
        return 1
    verb = "可以接受（试运行，未写入） would be accepted (dry run)" if args.dry_run else f"已接受 accepted, 版本 version {report.version}"
    print(f"{verb}: {report.rows:,} 行 rows, 期间 periods {', '.join(report.periods)}")
    return 0


def cmd_history(args) -> int:
    store = _store(args)
    try:
        rows = store.history(args.dataset)
    except KeyError as e:
        print(e.args[0], file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print(f"{args.dataset}: 没有版本 no versions")
    for r in rows:
        mark = "*" if r["current"] else " "
        print(f"{mark} {r['period']:<8} v{r['version']:<3} {r['at']}  {r['who']:<10} {r['rows']:>9,} 行  {r['source']}  {r['sha256'][:12]}")
    return 0


def cmd_rollback(args) -> int:
    store = _store(args)
    try:
        version, restored = store.rollback(args.dataset, args.period)
    except (StoreError, KeyError) as e:
        print(f"回滚失败 rollback refused: {e.args[0]}", file=sys.stderr)
        return 1
    what = f"第 {restored} 版 version {restored}" if restored else "无数据（撤销首次上传） no data (first upload undone)"
    print(f"{args.dataset} {args.period} 已恢复为 restored to {what}; 存储版本 store version {version}")
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
    from governance.tools import bench

    return bench.main(scale=args.scale, store_dir=args.store, repeat=args.repeat)


def cmd_brief(args) -> int:
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
        kind = briefing.output_kind(args.out)
    except ValueError as e:
        print(e, file=sys.stderr)
        return 2
    engine = Engine(_store(args))
    try:
        pack = briefing.build(engine, args.region, args.period)
        written = briefing.write(pack, args.out)
    except briefing.NoDataError as e:
        print(f"没有可生成简报的数据 no data for this briefing: {e}", file=sys.stderr)
        return 1
    except (images.ExportError, OSError) as e:
        print(f"简报生成失败 briefing failed: {e}", file=sys.stderr)
        return 1
    finally:
        engine.close()
    what = {"pptx": "演示文稿 deck", "pdf": "PDF",
            "folder": f"{len(written) - 1} 张图和 summary.md ({len(written) - 1} PNGs + summary.md)"}[kind]
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
    i.set_defaults(func=cmd_indicators)

    g = with_store(sub.add_parser("ingest", help="validate and load a ledger file (CSV or .xlsx)"))
    g.add_argument("dataset")
    g.add_argument("file")
    g.add_argument("--dry-run", action="store_true")
    g.add_argument("--json", action="store_true")
    g.add_argument("--sheet", help="worksheet name for .xlsx (default: the first)")
    g.set_defaults(func=cmd_ingest)

    h = with_store(sub.add_parser("history", help="list a dataset's versions"))
    h.add_argument("dataset")
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=cmd_history)

    r = with_store(sub.add_parser("rollback", help="restore a period's previous version"))
    r.add_argument("dataset")
    r.add_argument("period")
    r.set_defaults(func=cmd_rollback)

    sub.add_parser("hash-password", help="print a password hash for .streamlit/secrets.toml").set_defaults(
        func=cmd_hash_password)

    b = with_store(sub.add_parser("bench", help="benchmark the pages' queries against pandas"))
    b.add_argument("--scale", choices=("county", "province", "national"), default="province")
    b.add_argument("--repeat", type=int, default=15)
    b.set_defaults(func=cmd_bench)

    br = with_store(sub.add_parser("brief", help="write the briefing pack: .pptx deck, .pdf, or a folder of PNGs"))
    br.add_argument("--region", help="12-digit place code (default: the store's home place)")
    br.add_argument("--period", help="month YYYY-MM (default: the latest month with data)")
    br.add_argument("--out", required=True, help="PATH.pptx, PATH.pdf, or an existing folder")
    br.set_defaults(func=cmd_brief)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
