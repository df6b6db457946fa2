"""大屏: a dark, large-type view for the meeting-room screen: a clock, the data's freshness, the headline tiles and
slides (the map, then the briefing's charts) that advance by themselves, paused with one click."""

from governance.web import filters, router
from governance.web.views import screen as screen_view

router.entrypoint()  # a link straight to this page still goes through app.py

f = filters.page_filters()
screen_view.style()
seconds, paused = screen_view.title_bar(f)  # clock, freshness, pace and pause
screen_view.tiles(f)
screen_view.player(f, seconds, paused)  # the map, then the briefing's charts, moving on by themselves
