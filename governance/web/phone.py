"""What the whole app does for small screens (issue 12 item 8).

- A chart's Plotly toolbar is hidden at phone width: it sat on the chart's title (the PNG download is under
  every chart, and a phone zooms with fingers).
- A wide table or a Markdown table scrolls inside its own frame, never the page.
- The sidebar closes once a page is chosen from it: Streamlit leaves it open over the page on a phone, so
  the page just chosen could not be seen (a click on a page link, at most 768 px wide, presses the
  sidebar's own collapse button, as the user would).
"""

from __future__ import annotations

import streamlit as st

PHONE_PX = 768  # Streamlit's own breakpoint for its overlay sidebar
CSS = """
<style>
@media (max-width: 640px) {
  [data-testid="stPlotlyChart"] .modebar-container {display: none !important;}
}
[data-testid="stMarkdownContainer"] table {display: block; overflow-x: auto; max-width: 100%;}
[data-testid="stTable"] {overflow-x: auto;}
[data-testid="stElementContainer"]:has(#governance-phone) {display: none;}
</style>
"""
SCRIPT = """
<span id="governance-phone"></span>
<script>
(() => {
  if (window.__governancePhone) return;  // once per browser tab
  window.__governancePhone = true;
  document.addEventListener("click", (e) => {
    if (!e.target.closest('[data-testid="stSidebarNav"] a') || window.innerWidth > %d) return;
    setTimeout(() => document.querySelector(
      '[data-testid="stSidebarCollapseButton"] button, [data-testid="stSidebar"] button[aria-label="Collapse sidebar"]'
    )?.click(), 0);
  }, true);
})();
</script>
""" % PHONE_PX


def style() -> None:
    st.html(CSS)  # only a <style>: applied without taking a line of the page
    st.html(SCRIPT, unsafe_allow_javascript=True)
