"""Chart images for briefings: Plotly figures to PNG on the server, with real Chinese glyphs.

kaleido 1.x renders in a Chromium it drives over the DevTools protocol. Starting
that browser costs 2-3 s, so one exporter stays open for the life of the
process: an asyncio loop on a daemon thread holding one ``kaleido.Kaleido``.
Every call goes through one process-wide lock: the exporter is not thread-safe,
and Streamlit runs a thread per session.

kaleido's own ``start_sync_server`` is not used: if the browser fails to start
or dies, its callers wait forever on a queue nobody serves. Here every render
has a timeout, a failed render closes the browser, and the next call starts a
fresh one.

A stamped figure is drawn at presentation size (16:9, 1600x900 at scale 2) with
the CJK font named explicitly (charts.FONT: without it, headless Chromium has
no fallback and draws every character as a box) and a footer that says which
place and months it shows and how fresh the data is.
"""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import os
import re
import shutil
import threading

import plotly.graph_objects as go

from governance.charts.figures import FONT
from governance.core.text import plotly_escape

WIDTH, HEIGHT, SCALE = 1600, 900, 2
TIMEOUT_S = 60.0
TABS = 2  # a pack's charts render two at a time (the machines have two cores or more)
BASE_FONT, TITLE_FONT, SUBTITLE_FONT, STAMP_FONT = 22, 27, 20, 17
TOP_MARGIN = 120  # layout pixels above the plot: the title and its subtitle, clear of the legend
TITLE_TOP = 0.99  # the title's top edge (of the image's height): the whole title inside its top 5%
# Bottom margin, in layout pixels, holding the x tick labels, the axis title and the stamp.
FOOTER_MARGIN = 130

_LOCK = threading.Lock()


class ExportError(RuntimeError):
    """The chart could not be drawn (no browser, or the browser failed)."""


def browser_path() -> str | None:
    """The Chromium kaleido drives: $BROWSER_PATH, else the first chromium/chrome on PATH."""
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def stamp_text(place: str, months: str, as_of: dt.date | str | None) -> str:
    """地区 · 月份 · 数据截至: the filters a chart was drawn under and the data's date (Plotly text: the
    place name is escaped, it comes from an upload)."""
    parts = [f"地区：{plotly_escape(place)}", f"月份：{plotly_escape(months)}"]
    if as_of:
        day = as_of if isinstance(as_of, str) else f"{as_of.year}年{as_of.month}月{as_of.day}日"
        parts.append(f"数据截至：{day}")
    return "　　".join(parts)


def slide_title(title: str, place: str | None, months: str | None) -> str:
    """A still image's title (Plotly text, its first line) naming the place and the months, which a page's
    title leaves to the filters around it: 乡镇(街道)办结率排名（%） -> 清源县 · 乡镇(街道)办结率排名（2026年10月，%）.
    place and months are plain text (escaped here)."""
    main = (title or "").split("<br>")[0]
    if place and plotly_escape(place) not in main:
        main = f"{plotly_escape(place)} · {main}"
    if months and plotly_escape(months) not in main:
        if main.endswith("）") and "（" in main:
            at = main.rindex("（") + 1
            main = f"{main[:at]}{plotly_escape(months)}，{main[at:]}"
        else:
            main = f"{main}（{plotly_escape(months)}）"
    return main


def presentation(fig: go.Figure, *, place: str | None = None, months: str | None = None,
                 as_of: dt.date | str | None = None, width: int = WIDTH, height: int = HEIGHT,
                 title: str | None = None, subtitle: str | None = None) -> go.Figure:
    """A copy of fig laid out for a slide: fixed 16:9 size, larger type, the CJK font, and the stamp.

    The title's second line (a <br><sup> subtitle) becomes Plotly's own subtitle: a two-line title anchored
    at the top is drawn with its first line above the frame. title / subtitle (Plotly text) replace the
    figure's own, e.g. to leave out a page's "click a bar" hint. The bottom margin is fixed (the x axis does
    not grow it) so the stamp, placed at the bottom edge, can never sit on the tick labels.
    """
    out = go.Figure(fig)
    main, _, rest = (fig.layout.title.text or "").partition("<br>")
    main = main if title is None else title
    sub = re.sub(r"</?sup>", "", rest) if subtitle is None else subtitle
    out.update_layout(
        width=width,
        height=height,
        font=dict(family=FONT, size=BASE_FONT),
        title=dict(text=main, font=dict(family=FONT, size=TITLE_FONT, weight="bold"), x=0.01, xanchor="left", xref="container",
                   y=TITLE_TOP, yanchor="top", yref="container",
                   subtitle=dict(text=sub, font=dict(family=FONT, size=SUBTITLE_FONT, color="#595959"))),
        hoverlabel=dict(font=dict(family=FONT)),
        margin=dict(l=30, r=40, t=TOP_MARGIN if sub else TOP_MARGIN - 30, b=FOOTER_MARGIN),
    )
    out.update_xaxes(automargin=False, title_standoff=8)
    if out.layout.legend.y is not None and out.layout.legend.y < 0:
        # a page puts its legend under the plot; here the stamp is there: top right, beside the title
        out.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="right", x=1.0))
    # A ranking of many places: shrink its labels so each bar keeps its own readable name.
    bars = max((len(t.y) for t in out.data if t.type == "bar" and t.orientation == "h" and t.y is not None), default=0)
    if bars:
        size = max(9, min(BASE_FONT, int((height - 260) / bars * 0.75)))
        out.update_yaxes(tickfont_size=size)
        out.update_traces(textfont_size=size, selector=dict(type="bar"))
    if place or months or as_of:
        out.add_annotation(
            text=stamp_text(place or "", months or "", as_of), showarrow=False,
            xref="paper", yref="paper", x=0.0, y=0.0, xanchor="left", yanchor="bottom",
            yshift=-(FOOTER_MARGIN - 8), font=dict(family=FONT, size=STAMP_FONT, color="#595959"),
        )
    return out


class _Exporter:
    """One browser on one event loop thread; only ever used under _LOCK."""

    def __init__(self):
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.kaleido = None
        self.starts = 0

    def _ensure(self) -> None:
        if self.kaleido is not None:
            return
        import kaleido  # imported here: a page that never exports never pays for it

        if self.loop is None or not self.thread or not self.thread.is_alive():
            self.loop = asyncio.new_event_loop()
            self.thread = threading.Thread(target=self.loop.run_forever, name="kaleido-exporter", daemon=True)
            self.thread.start()
        path = browser_path()
        if path is None:
            raise ExportError("找不到 Chromium 浏览器，无法生成图片 no Chromium found: install chromium "
                              "(apt-get install chromium) or set BROWSER_PATH")

        async def start():
            k = kaleido.Kaleido(n=TABS, timeout=TIMEOUT_S, mathjax=False, path=path)
            await k.open()
            return k

        try:
            self.kaleido = asyncio.run_coroutine_threadsafe(start(), self.loop).result(TIMEOUT_S)
        except Exception as e:  # noqa: BLE001 - any start failure is reported the same way
            raise ExportError(f"无法启动 Chromium 生成图片 could not start Chromium ({path}): {e}") from e
        self.starts += 1

    def render(self, fig: go.Figure, opts: dict, timeout: float) -> bytes:
        return self.render_many([(fig, opts)], timeout)[0]

    def render_many(self, jobs: list[tuple[go.Figure, dict]], timeout: float) -> list[bytes]:
        """Several figures at once, spread over the browser's tabs (kaleido hands each render a free tab)."""
        self._ensure()

        async def all_of():
            return await asyncio.gather(*(self.kaleido.calc_fig(fig, opts=opts) for fig, opts in jobs))

        future = asyncio.run_coroutine_threadsafe(all_of(), self.loop)
        try:
            return future.result(timeout)
        except BaseException:
            future.cancel()
            self.close()  # a browser in an unknown state is not reused
            raise

    def close(self) -> None:
        k, self.kaleido = self.kaleido, None
        if k is not None and self.loop is not None and self.loop.is_running():
            try:
                asyncio.run_coroutine_threadsafe(k.close(), self.loop).result(10)
            except Exception:  # noqa: BLE001 - closing a broken browser may fail; it is dropped either way
                pass


_EXPORTER = _Exporter()


def to_png(fig: go.Figure, *, width: int = WIDTH, height: int = HEIGHT, scale: float = SCALE,
           timeout: float = TIMEOUT_S) -> bytes:
    """PNG bytes of fig as it is (use presentation() or chart_png() for slides).

    A failed render is retried once with a fresh browser; a second failure raises ExportError.
    """
    return _render([fig], {"format": "png", "width": width, "height": height, "scale": scale}, timeout)[0]


def _render(figs: list[go.Figure], opts: dict, timeout: float) -> list[bytes]:
    with _LOCK:
        for attempt in (1, 2):
            try:
                return _EXPORTER.render_many([(fig, opts) for fig in figs], timeout * max(1, len(figs) / TABS))
            except ExportError:
                raise
            except Exception as e:  # noqa: BLE001
                if attempt == 2:
                    raise ExportError(f"图片生成失败 chart export failed: {type(e).__name__}: {e}") from e
    raise AssertionError("unreachable")


def chart_png(fig: go.Figure, *, place: str, months: str, as_of: dt.date | str | None,
              width: int = WIDTH, height: int = HEIGHT, scale: float = SCALE, title: str | None = None,
              subtitle: str | None = None) -> bytes:
    """A slide-ready PNG: presentation layout, the CJK font, and the place / months / as-of stamp."""
    stamped = presentation(fig, place=place, months=months, as_of=as_of, width=width, height=height,
                           title=title, subtitle=subtitle)
    return to_png(stamped, width=width, height=height, scale=scale)


def chart_pngs(charts: list[tuple[go.Figure, dict]]) -> list[bytes]:
    """Slide-ready PNGs of several figures, each with its stamp ({place, months, as_of}), drawn TABS at a
    time in the one browser: a briefing pack's charts in one call."""
    stamped = [presentation(fig, **stamp) for fig, stamp in charts]
    return _render(stamped, {"format": "png", "width": WIDTH, "height": HEIGHT, "scale": SCALE}, TIMEOUT_S)


def exporter_starts() -> int:
    """How many times a browser was started in this process (1 while all is well)."""
    return _EXPORTER.starts


def close() -> None:
    """Close the browser (it restarts on the next export). Registered to run at exit."""
    with _LOCK:
        _EXPORTER.close()


atexit.register(close)
