"""Text from uploads shown as text: escaping for Markdown (Streamlit) and for Plotly's HTML-like labels.

Place names, categories, branch names and file names come from whoever uploaded the ledger. Streamlit
renders Markdown in st.markdown, captions, button labels and alerts (images fetch their URL, links
become clickable, ``:red[...]`` and ``$...$`` are directives); Plotly renders ``<a href>``, ``<b>``,
``<br>`` and entities in titles, tick labels, legend and hover text (issue 10: a village named
``![t](http://attacker/p.png)`` made every viewer fetch the URL). Every such string goes through one of
these functions where it meets the renderer; our own markup is added around the escaped text.
"""

from __future__ import annotations

import re

# The ASCII marks that make Markdown (CommonMark, GFM, Streamlit) do something: emphasis, code, links and
# images ([ ] !), raw HTML and <autolinks>, headings, tables, strikethrough, LaTeX ($), Streamlit's
# :red[..] / :material/..: directives and the ':' of a bare http:// autolink, entities (&), e-mail
# autolinks (@). A backslash-escaped mark is always literal. '.', '-', '%' and '(' are left as they
# are, so that figures such as 96.9% and 200-350 stay readable in the .md files.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>!#|~$:&@])")
_NEWLINES = re.compile(r"[\r\n\u2028\u2029]+")
_WWW = re.compile(r"(?i)(www)\.")  # GFM links a bare www.example.org too
_LINE_START = re.compile(r"^([-+=])")  # a list item or a setext heading underline


def md_escape(value: object) -> str:
    """The value as literal text inside Markdown: the marks above backslash-escaped, line breaks made
    spaces (a name must not start a heading, list or table on a line of its own)."""
    text = _NEWLINES.sub(" ", "" if value is None else str(value))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(r"\\\1", _WWW.sub(r"\1\\.", text))


def plotly_escape(value: object) -> str:
    """The value as literal text in a Plotly title, label or hover text: Plotly parses a small set of
    HTML tags (a, b, i, br, sub, sup, span) and entities in text, and decodes &lt; &gt; &amp; back for
    display, so escaping those three shows the name as written and makes no tag."""
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plotly_unescape(text: str) -> str:
    """Back from plotly_escape, for reusing a figure's title as plain text (a file, a slide)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
