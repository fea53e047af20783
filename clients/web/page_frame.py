"""What every page shares: the frame (head, navigation, notices), tables, the pager, the
error page, the diagram container that `static/honeyflow.js` fills and the acting user's
field of the task pages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from clients.web.html import Markup, html, join
from clients.web.session_context import csrf_field, csrf_meta, current_session

BPMN_JS = "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"
BPMN_CSS = ("/vendor/bpmn-js/assets/diagram-js.css", "/vendor/bpmn-js/assets/bpmn-js.css")
MAX_USER_LENGTH = 256
FORM_JS = "/vendor/form-js/form-viewer.umd.js"
FORM_CSS = ("/vendor/form-js/assets/form-js.css",)


def page(
    title: str,
    body: Markup,
    *,
    diagram: bool = False,
    notice: Markup | None = None,
    acting_user: str | None = None,
    task_form: bool = False,
    status_path: str = "/",
    extra_scripts: Sequence[str] = (),
    extra_styles: Sequence[str] = (),
    navigation: bool = True,
) -> str:
    """`diagram` loads bpmn-js and our diagram script, `task_form` form-js and the task
    script; `acting_user` (the task pages) puts the "You are" field in the header, which
    comes back to `status_path` once set. A logged-in page names its user instead, with a
    logout button; `navigation=False` (the login page) leaves the links out."""
    styles: list[str] = []
    scripts: list[str] = []
    if diagram:
        styles += BPMN_CSS
        scripts += [BPMN_JS, "/static/honeyflow.js"]
    if task_form:
        styles += FORM_CSS
        scripts += [FORM_JS, "/static/honeyflow-tasks.js"]
    scripts += extra_scripts
    styles += extra_styles
    return html(
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        "<title>{title} · Honeyflow</title>{styles}"
        '{meta}<link rel="stylesheet" href="/static/honeyflow.css"></head>'
        '<body><header><a class="brand" href="/">Honeyflow</a>{nav}{user}</header>'
        "<main>{notice}{body}</main>{scripts}</body></html>",
        title=title,
        styles=join(html('<link rel="stylesheet" href="{href}">', href=h) for h in styles),
        meta=csrf_meta(),
        nav=Markup(_NAVIGATION) if navigation else Markup(""),
        user=_user_box(acting_user, status_path),
        notice=notice or Markup(""),
        body=body,
        scripts=join(html('<script src="{src}"></script>', src=s) for s in scripts),
    )


_NAVIGATION = (
    '<nav><a href="/">Processes</a><a href="/instances">Instances</a>'
    '<a href="/incidents">Incidents</a><a href="/tasks">Tasks</a></nav>'
)


def _user_box(acting_user: str | None, back: str) -> Markup:
    """The logged-in user and the logout button; without a login, the task pages' name."""
    session = current_session()
    if session is not None:
        return html(
            '<form method="post" action="/logout" class="session-user">{csrf}'
            '<span class="user-name" title="{roles}">{name}</span>'
            ' <button type="submit" id="logout">Log out</button></form>',
            csrf=csrf_field(),
            name=session.user.name,
            roles=session.user.role_text,
        )
    if acting_user is not None:
        return acting_user_form(acting_user, back)
    return Markup("")


def acting_user_form(user: str, back: str) -> Markup:
    """Who claims and completes tasks from this browser, until a login comes with the
    security work: a name kept in a cookie."""
    return html(
        '<form method="post" action="/user" class="acting-user">'
        '<input type="hidden" name="next" value="{back}">'
        '<label>You are <input name="user" value="{user}" required maxlength="{max}"'
        ' placeholder="your user name" autocomplete="username"></label>'
        '<button type="submit">Set</button></form>',
        back=back,
        user=user,
        max=MAX_USER_LENGTH,
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


def tenant_text(tenant: str | None) -> Markup:
    """` · tenant A` beside a process or instance (nothing when the store does not know it)."""
    if tenant is None:
        return Markup("")
    return html(' · tenant <code class="tenant">{t}</code>', t=tenant)
