"""The briefing pack as a PDF: HTML printed by the system Chromium (Playwright).

Chinese is drawn with Noto Sans CJK SC, tables split across pages with their header repeated and rows
never cut, and every page carries its number. The 通报 comes first, the charts after.
"""

from __future__ import annotations

import atexit
import base64
import concurrent.futures
import html
import queue
import threading

from governance.briefing import notice
from governance.briefing import pack as P
from governance.briefing.pack import Pack
from governance.charts import images
from governance.core import contract

CSS_FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
SERIF_FONT = '"Noto Serif CJK SC", "Source Han Serif SC", "FangSong", "SimSun", serif'  # the notice's body
PDF_TIMEOUT_S = 120


CSS = f"""
@page {{ size: A4 landscape; }}
html {{ font-family: {CSS_FONT}; font-size: 11pt; color: #262730; }}
body {{ margin: 0; }}
section {{ break-before: page; }}
section:first-child {{ break-before: auto; }}
.notice {{ width: 200mm; margin: 0 auto; font-family: {SERIF_FONT}; }}
.notice h1 {{ font-size: 24pt; color: #C00000; text-align: center; margin: 2mm 0 3mm; letter-spacing: 1pt; }}
.notice .issue {{ text-align: center; font-size: 13pt; }}
.notice .office {{ display: flex; justify-content: space-between; font-size: 12pt; margin-top: 3mm;
                   padding-bottom: 2mm; border-bottom: 2px solid #C00000; margin-bottom: 4mm; }}
.notice h3 {{ font-family: {CSS_FONT}; font-size: 14pt; margin: 4mm 0 1mm; text-indent: 2em; }}
.notice h4 {{ font-size: 13pt; margin: 2mm 0 1mm; text-indent: 2em; }}
.notice table {{ margin: 1mm 0 3mm; font-size: 11pt; }}
.notice .foot {{ font-size: 10pt; color: #595959; margin-top: 6mm; }}
h2 {{ font-size: 16pt; color: #C00000; margin: 0 0 4mm; padding-left: 3mm; border-left: 5px solid #C00000; }}
figure {{ margin: 0; }}
figure img {{ display: block; width: 100%; height: 146mm; object-fit: contain; }}
.takeaway {{ font-size: 13pt; font-weight: bold; color: #1F3864; margin-top: 3mm; }}
table {{ width: 100%; border-collapse: collapse; font-size: 10.5pt; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
th, td {{ border: 1px solid #BFBFBF; padding: 1.5mm 2.5mm; text-align: left; vertical-align: top; }}
th {{ background: #E7E6E6; }}
tbody tr:nth-child(even) td {{ background: #F7F7F7; }}
.s-green {{ color: #009E73; }} .s-amber {{ color: #B07800; }} .s-red {{ color: #D55E00; font-weight: bold; }}
p.para {{ font-size: 12.5pt; line-height: 1.75; text-indent: 2em; margin: 0 0 3mm; text-align: justify; }}
p.para b {{ color: #C00000; }}
.empty {{ font-size: 14pt; }}
"""


def _e(text) -> str:
    return html.escape(str(text))


def _html_table(header: list[str], rows: list[list[str]], classes: list[str] | None = None) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        cells = []
        for j, v in enumerate(row):
            cls = f' class="{classes[i]}"' if classes and j == len(row) - 1 and classes[i] else ""
            cells.append(f"<td{cls}>{_e(v)}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def notice_html(pack: Pack) -> str:
    """The 通报 as the PDF's opening pages: masthead, the four sections, the closing line."""
    n = notice.compose(pack)
    out = [f"<section class='notice'><h1>{_e(n.title)}</h1><div class='issue'>{_e(n.issue)}</div>"
           f"<div class='office'><span>{_e(n.office)}</span><span>{_e(n.date)}</span></div>",
           f"<h3>{notice.SECTIONS[0]}</h3><p class='para'>{_e(n.overall)}</p><h3>{notice.SECTIONS[1]}</h3>"]
    for s in n.sections:
        out.append(f"<h4>{_e(s.heading)}</h4><p class='para'>{_e(s.text)}</p>")
        if s.rows:
            statuses = [k.status for k in pack.kpis if k.dataset == s.dataset]
            out.append(_html_table(notice.INDICATOR_HEADER, s.rows, [f"s-{x}" if x else "" for x in statuses]))
    out.append(f"<h3>{notice.SECTIONS[2]}</h3>")
    out += [f"<p class='para'>{i}. {_e(p.text)}</p>" for i, p in enumerate(n.problems, 1)] or [
        f"<p class='para'>{_e(n.no_problems)}</p>"]
    out.append(f"<h3>{notice.SECTIONS[3]}</h3>")
    out += [f"<p class='para'>{i}. {_e(p.suggestion)}</p>" for i, p in enumerate(n.problems, 1)] or [
        f"<p class='para'>{notice.NO_PROBLEM_ADVICE}</p>"]
    out.append(f"<p class='foot'>{_e(n.footnote)}</p></section>")
    return "".join(out)


def to_html(pack: Pack) -> str:
    """The PDF's source: the 通报 first, then one page per chart (base64 PNG), then the needs-attention list."""
    pack.render()
    parts = [notice_html(pack)]
    for i, chart in enumerate(pack.charts, 1):
        data = base64.b64encode(chart.png).decode("ascii")
        parts.append(f"<section><h2>图{i}　{_e(contract.dataset(chart.dataset).zh)}</h2>"
                     f"<figure><img alt='{_e(chart.title)}' src='data:image/png;base64,{data}'></figure>"
                     f"<div class='takeaway'>{_e(chart.takeaway)}</div></section>")
    rows = P.attention_table(pack)
    table = _html_table(P.ATTENTION_HEADER, rows) if rows else f"<p class='empty'>{_e(P.no_attention(pack))}</p>"
    parts.append(f"<section><h2>需要关注的地区与指标（共{len(rows)}项）</h2>{table}</section>")
    return (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>{_e(pack.title)}</title>"
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>")


def _margin_template(text: str, align: str) -> str:
    return (f"<div style=\"font-family: {_e(CSS_FONT)}; font-size: 8pt; color: #7F7F7F; width: 100%; "
            f"margin: 0 12mm; text-align: {align};\">{text}</div>")


class _Printer:
    """One Chromium, kept open on a thread of its own, printing one page at a time.

    Launching Chromium costs seconds (more on a busy machine), once per PDF before; now once per process.
    Playwright's sync API must run on a thread without an asyncio loop (Streamlit's may have one), and a
    Playwright object belongs to the thread that made it: so every print goes through this thread's queue.
    A print that fails closes the browser; the next one starts a fresh browser.
    """

    def __init__(self):
        self.jobs: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()
        self.starts = 0

    def submit(self, source: str, header: str) -> concurrent.futures.Future:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._serve, name="briefing-pdf", daemon=True)
                self.thread.start()
        future: concurrent.futures.Future = concurrent.futures.Future()
        self.jobs.put((source, header, future))
        return future

    def _serve(self) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = None
            while (job := self.jobs.get()) is not None:
                source, header, future = job
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    if browser is None or not browser.is_connected():
                        path = images.browser_path()
                        if path is None:
                            raise images.ExportError("找不到 Chromium 浏览器，无法生成 PDF no Chromium found for the PDF")
                        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
                        self.starts += 1
                    future.set_result(_print(browser, source, header))
                except BaseException as e:  # noqa: BLE001 - handed to the caller
                    future.set_exception(e)
                    browser = _closed(browser)
            _closed(browser)

    def close(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            self.jobs.put(None)
            self.thread.join(10)


def _closed(browser) -> None:
    if browser is not None:
        try:
            browser.close()
        except Exception:  # noqa: BLE001 - a broken browser is dropped either way
            pass
    return None


def _print(browser, source: str, header: str) -> bytes:
    page = browser.new_page()
    try:
        page.set_default_timeout(PDF_TIMEOUT_S * 1000)
        page.set_content(source, wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        return page.pdf(
            format="A4", landscape=True, print_background=True, display_header_footer=True,
            header_template=_margin_template(_e(header), "right"),
            footer_template=_margin_template(
                "第 <span class='pageNumber'></span> 页 / 共 <span class='totalPages'></span> 页", "center"),
            margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"},
        )
    finally:
        page.close()


_PRINTER = _Printer()
atexit.register(_PRINTER.close)


def printer_starts() -> int:
    """How many times the PDF printer started a browser in this process (1 while all is well)."""
    return _PRINTER.starts


def html_to_pdf(source: str, *, header: str = "") -> bytes:
    """A4 landscape PDF of an HTML page, printed by the system Chromium, with 第 N 页 / 共 M 页 footers."""
    return result(_PRINTER.submit(source, header))


def start(pack: Pack) -> concurrent.futures.Future:
    """Start printing the pack's PDF (charts drawn first) and return at once: the pack's other formats are
    made in Python while Chromium prints. result(future) waits for the bytes."""
    return _PRINTER.submit(to_html(pack), _header(pack))


def result(future: concurrent.futures.Future) -> bytes:
    try:
        return future.result(PDF_TIMEOUT_S)
    except images.ExportError:
        raise
    except Exception as e:  # noqa: BLE001
        raise images.ExportError(f"PDF 生成失败 PDF export failed: {type(e).__name__}: {e}") from e


def _header(pack: Pack) -> str:
    return f"{pack.title} · {pack.month_label}"


def to_pdf(pack: Pack) -> bytes:
    return html_to_pdf(to_html(pack), header=_header(pack))
