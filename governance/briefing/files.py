"""Where the pack goes: the folder of PNGs and Markdown, the .zip, files written by `brief --out`, and
the downloads of the 简报导出 page (every format from one render of the charts).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from governance.briefing import notice
from governance.briefing import pack as P
from governance.briefing.pack import Pack
from governance.core.text import md_escape
from queries import Engine

NOTICE_MD = "notice.md"


def to_markdown(pack: Pack, png_names: list[str] | None = None) -> str:
    # Names in the titles, text and tables come from uploads: Markdown-escaped, so a viewer of the
    # summary.md fetches no image and follows no link a village name carried (issue 10).
    lines = [f"# {md_escape(pack.title)}", "", f"**{pack.month_label}**　{P.subtitle(pack)}", "", "## 主要指标", ""]
    lines += _md_table(P.KPI_HEADER, P.kpi_rows(pack))
    lines += ["", "## 文字通报", ""]
    lines += [f"**{p.heading}**　{md_escape(p.text)}\n" for p in pack.paragraphs]
    lines += ["## 图表", ""]
    for i, chart in enumerate(pack.charts):
        name = png_names[i] if png_names else None
        lines.append(f"### 图{i + 1}　{md_escape(chart.title)}")
        lines.append("")
        if name:
            lines += [f"![{md_escape(chart.title)}]({name})", ""]
        lines += [md_escape(chart.takeaway), ""]
    lines += [f"## 需要关注的地区与指标（共{len(pack.attention)}项）", ""]
    rows = P.attention_table(pack)
    lines += _md_table(P.ATTENTION_HEADER, rows) if rows else [P.no_attention(pack)]
    return "\n".join(lines) + "\n"


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    def cell(v):
        return md_escape(v)  # escapes | too

    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + [
        "| " + " | ".join(cell(v) for v in row) + " |" for row in rows]


def folder_files(pack: Pack) -> dict[str, bytes]:
    """One PNG per chart (01-petitions-trend.png ...), summary.md and the 通报 as notice.md, by file name."""
    pack.render()
    files = {f"{i:02d}-{chart.key}.png": chart.png for i, chart in enumerate(pack.charts, 1)}
    files["summary.md"] = to_markdown(pack, list(files)).encode("utf-8")
    files[NOTICE_MD] = notice.markdown(notice.compose(pack)).encode("utf-8")
    return files


def to_folder(pack: Pack, folder: str | Path) -> list[Path]:
    """The folder output: folder_files written into an existing folder."""
    written = []
    for name, data in folder_files(pack).items():
        (Path(folder) / name).write_bytes(data)
        written.append(Path(folder) / name)
    return written


def to_zip(pack: Pack) -> bytes:
    """The folder output as one .zip, for a download button."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in folder_files(pack).items():
            z.writestr(name, data)
    return buf.getvalue()


# ---- the formats, by kind ------------------------------------------------------------------------

MIME = {"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "zip": "application/zip", "all": "application/zip"}
WHAT = {"pptx": "简报", "pdf": "简报", "docx": "通报", "zip": "图片与文字", "all": "简报全套"}


def to_pptx(pack: Pack) -> bytes:
    from governance.briefing import pptx

    return pptx.to_pptx(pack)


def to_pdf(pack: Pack) -> bytes:
    from governance.briefing import pdf

    return pdf.to_pdf(pack)


def to_docx(pack: Pack) -> bytes:
    from governance.briefing import word

    return word.to_docx(notice.compose(pack), pack)


MAKERS = {"pptx": to_pptx, "pdf": to_pdf, "docx": to_docx, "zip": to_zip}


def file_name(pack: Pack, kind: str) -> str:
    """A download name: 清源县_2026-10_简报.pptx, 清源县_2026-10_通报.docx, 清源县_2026-10_简报全套.zip."""
    ext = "zip" if kind == "all" else kind
    return f"{pack.place.name}_{pack.month}_{WHAT[kind]}.{ext}"


def make(pack: Pack, kind: str) -> bytes:
    """The bytes of one format; the charts are drawn once per pack (pack.render) whatever the format."""
    if kind == "all":
        return make_all(pack)["all"][1]
    if kind not in MAKERS:
        raise ValueError(f"kind must be one of {sorted(MIME)}: {kind!r}")
    return MAKERS[kind](pack)


STEPS = [("charts", "绘制图表"), ("pptx", "演示文稿 PPTX"), ("docx", "Word 通报"), ("zip", "图片与文字 ZIP"),
         ("pdf", "PDF"), ("all", "打包全套")]


def make_all(pack: Pack, progress=None) -> dict[str, tuple[str, bytes]]:
    """Every format from one render of the charts: {kind: (file name, bytes)}, "all" being one .zip of them
    all. The PDF prints in Chromium while the deck, the .docx and the images are made here, so the longest
    step overlaps the others. progress(step label, steps done, steps in all) is called before each step."""
    from governance.briefing import pdf

    out: dict[str, tuple[str, bytes]] = {}
    printing = None
    for i, (kind, label) in enumerate(STEPS):
        if progress:
            progress(label, i, len(STEPS))
        if kind == "charts":
            pack.render()
            printing = pdf.start(pack)
        elif kind == "pdf":
            out["pdf"] = (file_name(pack, "pdf"), pdf.result(printing))
        elif kind == "all":
            out["all"] = (file_name(pack, "all"), _bundle(pack, out))
        else:
            out[kind] = (file_name(pack, kind), MAKERS[kind](pack))
    if progress:
        progress("完成", len(STEPS), len(STEPS))
    return out


def _bundle(pack: Pack, made: dict[str, tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for kind in ("docx", "pdf", "pptx"):
            name, data = made[kind]
            z.writestr(name, data)
        for name, data in folder_files(pack).items():
            z.writestr(f"图片与文字/{name}", data)
    return buf.getvalue()


def export(engine: Engine, region: str | None, month: str | None, kind: str, *, version: int | None = None,
           today: dt.date | None = None) -> tuple[str, bytes]:
    """(file name, bytes) of one format: what a download button serves.

    Bytes and a string, so a page can keep the result in st.cache_data. Raises NoDataError
    (show str(e) to the user) and images.ExportError.
    """
    if kind not in MIME:
        raise ValueError(f"kind must be one of {sorted(MIME)}: {kind!r}")
    pack = P.build(engine, region, month, version=version, today=today)
    return file_name(pack, kind), make(pack, kind)


def output_kind(out: str | Path) -> str:
    """pptx / pdf / docx / md / folder, from the path the user gave; ValueError with a message otherwise."""
    path = Path(out)
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("pptx", "pdf", "docx", "md"):
        return suffix
    if path.is_dir():
        return "folder"
    raise ValueError(f"输出路径须以 .pptx、.pdf、.docx 或 .md 结尾，或为已存在的文件夹 --out must end in .pptx, .pdf, "
                     f".docx or .md, or be an existing folder: {out}")


def write(pack: Pack, out: str | Path) -> list[Path]:
    """Write the deck (.pptx), the PDF (.pdf), the 通报 (.docx, or .md), or the folder of PNGs, summary.md and
    notice.md; returns the files written."""
    kind = output_kind(out)
    path = Path(out)
    if kind == "folder":
        return to_folder(pack, path)
    data = notice.markdown(notice.compose(pack)).encode("utf-8") if kind == "md" else make(pack, kind)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return [path]
