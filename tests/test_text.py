"""Names from uploads are text: the Markdown and Plotly escapes, and the figures and summaries that use them.

The browser test (tests/e2e/test_no_markup.py) shows that the pages make no link and fetch nothing;
these check the pieces on their own.
"""

import pandas as pd

from governance.briefing import summary
from governance.charts import figures as charts
from governance.charts import images
from governance.core import contract
from governance.core.text import md_escape, plotly_escape, plotly_unescape

EVIL = ["![x](http://10.0.0.1/p.png)", '<a href="http://10.0.0.1">x</a>', "<img src=x onerror=alert(1)>",
        "javascript:alert(1)", "[link](http://10.0.0.1)"]


def test_md_escape_leaves_no_active_markdown_mark():
    # GFM links bare URLs after escapes are resolved: a word joiner (U+2060) breaks http:// and www.
    assert md_escape("![x](http://10.0.0.1/p.png)") == "\\!\\[x\\](http\u2060\\://10.0.0.1/p.png)"
    assert md_escape("<img src=x onerror=alert(1)>") == r"\<img src=x onerror=alert(1)\>"
    assert md_escape("[link](http://10.0.0.1)") == "\\[link\\](http\u2060\\://10.0.0.1)"
    # Streamlit's directives and LaTeX, GFM's bare www. and e-mail links, a list or heading on a new line
    assert md_escape(":red[x] $x$") == r"\:red\[x\] \$x\$"
    assert md_escape("www.x.org a@b.cn HTTPS://y") == "www\u2060.x.org a\u2060@b.cn HTTPS\u2060\\://y"
    assert md_escape("- 甲\n# 乙") == r"\- 甲 \# 乙"
    # every mark escaped once: no unescaped [ < ! : left anywhere
    for name in EVIL:
        out = md_escape(name)
        for i, ch in enumerate(out):
            if ch in "[]<>!:`*_|$&":
                assert out[i - 1] == "\\", (name, out)


def test_md_escape_keeps_chinese_text_and_figures_readable():
    text = "2024年10月，全县办结率96.9%，每格200-350户（2件）。"
    assert md_escape(text) == text
    assert md_escape(None) == ""


def test_plotly_escape_makes_no_tag_and_reads_back():
    for name in EVIL:
        out = plotly_escape(name)
        assert "<" not in out and ">" not in out
        assert plotly_unescape(out) == name
    assert plotly_escape("A&B &lt;") == "A&amp;B &amp;lt;"  # an entity in a name is shown as written


def test_figures_escape_titles_labels_and_hover_names():
    ind = contract.dataset("petitions").indicator("closure_rate")
    df = pd.DataFrame({"place_code": ["411102001000", "411102002000"], "place_name": EVIL[:2],
                       "closure_rate": [0.9, 0.8]})
    fig = charts.ranking(df, ind, level="town", title=f"{EVIL[1]}排名", subtitle=EVIL[0])
    assert "<a" not in fig.layout.title.text and "&lt;a href" in fig.layout.title.text
    assert fig.layout.title.text.endswith("<sup>![x](http://10.0.0.1/p.png)</sup>")  # our own markup stays
    assert list(fig.data[0].y) == [plotly_escape(EVIL[0]), plotly_escape(EVIL[1])]
    bars = charts.bars(pd.DataFrame({"label": EVIL, "value": [1, 2, 3, 4, 5]}), "label", "value", unit="件",
                       title="按问题类别")
    assert not any("<" in str(v) for v in bars.data[0].y) and not any("<" in str(v) for v in bars.data[0].x)
    stacked = charts.stacked(pd.DataFrame({"x": [EVIL[2]], "a": [1]}), "x", {"a": EVIL[1]}, unit="个", title="t")
    assert "<a" not in stacked.data[0].name and "<img" not in stacked.data[0].x[0]
    assert "<img" not in images.stamp_text(EVIL[2], "2024年10月", None)


def test_the_summary_markdown_escapes_names():
    paras = [summary.Paragraph("petitions", "一、信访工作", f"分村(社区)看，最高的是{EVIL[0]}（100%）。", True)]
    md = summary.markdown(EVIL[3], "2024-10", paras)
    assert "最高的是\\!\\[x\\](http\u2060\\://10.0.0.1/p.png)（100%）" in md  # shown as written, not an image
    assert md.startswith(r"# javascript\:alert(1)2024年10月")


def test_stored_times_read_in_the_offices_time_zone(monkeypatch):
    from governance.core.formatting import office_time

    # 04:47 UTC is 12:47 in Beijing (UTC+8), 13:47 in Tokyo (UTC+9); an unreadable stamp stays as it was
    assert office_time("2026-12-01T04:47:05+00:00") == "2026-12-01 12:47:05"
    monkeypatch.setenv("GOVERNANCE_TZ", "Asia/Tokyo")
    assert office_time("2026-12-01T04:47:05+00:00") == "2026-12-01 13:47:05"
    assert office_time("yesterday") == "yesterday" and office_time(None) == ""
