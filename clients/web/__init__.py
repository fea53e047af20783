"""`honeyflow web`: a Camunda-Operate-like page over the query store (docs/visibility.md).

`app` holds the aiohttp application; the `*_page(s)` modules render HTML through `html`
(which escapes everything from the store); `auto_layout` and `diagram_xml` draw processes
that come without diagram data; `static/` holds the one script and style sheet.
"""
