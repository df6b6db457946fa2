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
# :red[..] / :material/..: directives, entities (&). A backslash-escaped mark is always literal.
# '.', '-', '%' and '(' are left as they are, so that figures such as 96.9% and 200-350 stay readable.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>!#|~$:&])")
_NEWLINES = re.compile(r"[\r\n\u2028\u2029]+")
# GFM's bare autolinks (http://…, https://…, www.…, name@host) are found in the text *after* escapes are
# resolved, so a backslash does not stop them (the browser test caught http\:// still linked). An
# invisible word joiner inside the pattern does: the text reads the same and no link is made.
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=\\?:)|(?<=http)(?=\\?:)|(?<=www)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"
_LINE_START = re.compile(r"^([-+=])")  # a list item or a setext heading underline


def md_escape(value: object) -> str:
    """The value as literal text inside Markdown: the marks above backslash-escaped, bare URLs and
    e-mail addresses broken by a word joiner, line breaks made spaces (a name must not start a heading,
    list or table on a line of its own)."""
    text = _NEWLINES.sub(" ", "" if value is None else str(value))
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, text))


def plotly_escape(value: object) -> str:
    """The value as literal text in a Plotly title, label or hover text: Plotly parses a small set of
    HTML tags (a, b, i, br, sub, sup, span) and entities in text, and decodes &lt; &gt; &amp; back for
    display, so escaping those three shows the name as written and makes no tag."""
    text = "" if value is None else str(value)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plotly_unescape(text: str) -> str:
    """Back from plotly_escape, for reusing a figure's title as plain text (a file, a slide)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
