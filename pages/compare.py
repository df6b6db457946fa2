"""两地对比: any two places (town vs town, a village vs its town, a town vs the county), side by side."""

from governance.web import filters, router
from governance.web.views import compare as compare_view

router.entrypoint()  # a link straight to this page still goes through app.py

f = filters.page_filters()
compare_view.page(f)
