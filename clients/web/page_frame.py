"""What every page shares: the frame (head, navigation, notices), tables, the pager, the
error page and the diagram container that `static/honeyflow.js` fills."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from clients.web.html import Markup, html, join

BPMN_JS = "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"
BPMN_CSS = ("/vendor/bpmn-js/assets/diagram-js.css", "/vendor/bpmn-js/assets/bpmn-js.css")


def page(title: str, body: Markup, *, diagram: bool = False, notice: Markup | None = None) -> str:
    styles = join(html('<link rel="stylesheet" href="{href}">', href=h) for h in BPMN_CSS)
    scripts = html(
        '<script src="{bpmn}"></script><script src="/static/honeyflow.js"></script>',
        bpmn=BPMN_JS,
    )
    return html(
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        "<title>{title} · Honeyflow</title>{styles}"
        '<link rel="stylesheet" href="/static/honeyflow.css"></head>'
        '<body><header><a class="brand" href="/">Honeyflow</a>'
        '<nav><a href="/">Processes</a><a href="/instances">Instances</a>'
        '<a href="/incidents">Incidents</a></nav></header>'
        "<main>{notice}{body}</main>{scripts}</body></html>",
        title=title,
        styles=styles if diagram else Markup(""),
        notice=notice or Markup(""),
        body=body,
        scripts=scripts if diagram else Markup(""),
    )


def notice_box(text: str, kind: str = "info") -> Markup:
    return html('<p class="notice notice-{kind}" role="status">{text}</p>', kind=kind, text=text)


def error_page(status: int, message: str, hint: str = "") -> str:
    body = html(
        '<h1>{status}</h1><p class="error-message">{message}</p>{hint}',
        status=status,
        message=message,
        hint=html("<p>{hint}</p>", hint=hint) if hint else Markup(""),
    )
    return page(f"Error {status}", body)


def table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], *, css: str = "", empty: str = "-"
) -> Markup:
    """Cells are escaped unless they are Markup (links, badges, forms)."""
    head = join(html("<th>{h}</th>", h=h) for h in headers)
    body = join(
        html("<tr>{cells}</tr>", cells=join(html("<td>{c}</td>", c=c) for c in row)) for row in rows
    )
    if not body:
        body = html(
            '<tr><td colspan="{n}" class="empty">{empty}</td></tr>', n=len(headers), empty=empty
        )
    return html(
        '<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>',
        css=css,
        head=head,
        body=body,
    )


def link(href: str, text: object, css: str = "") -> Markup:
    return html('<a href="{href}" class="{css}">{text}</a>', href=href, text=text, css=css)


def pager(next_href: str | None, first_href: str | None) -> Markup:
    parts = []
    if first_href:
        parts.append(link(first_href, "« Newest"))
    if next_href:
        parts.append(link(next_href, "Older »", "next-page"))
    return html('<p class="pager">{parts}</p>', parts=join(parts)) if parts else Markup("")


def diagram_container(xml_href: str, *, stats_href: str = "", path_href: str = "") -> Markup:
    return html(
        '<div id="diagram" class="diagram" data-xml="{xml}" data-stats="{stats}"'
        ' data-path="{path}"><p class="diagram-status">Loading the diagram…</p></div>',
        xml=xml_href,
        stats=stats_href,
        path=path_href,
    )


def state_badge(state: str) -> Markup:
    return html('<span class="state state-{css}">{state}</span>', css=state.lower(), state=state)


def count(value: int, css: str) -> Markup:
    return html('<span class="count {css}">{value}</span>', css=css if value else "", value=value)
