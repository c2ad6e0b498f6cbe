"""The web dashboard: the run catalog for partner organizations, each seeing the runs shared with it.

Pages: ``/`` (the runs the user may see), ``/compare?run=A&run=B`` (their summaries side by side),
``/runs/{id}`` (a run's summary by stage, links to its report and result files), ``/runs/{id}/report`` (the
run's self-contained HTML report), ``/login`` and ``/logout``. JSON API: ``/api/runs``, ``/api/runs/{id}``,
``/api/runs/{id}/results`` and ``/api/runs/{id}/results/{file}`` (a Parquet file). Every request but ``/login``
needs an access token: ``Authorization: Bearer TOKEN`` or the cookie the login form sets. A run the user may not
see is answered as unknown (404), so that names do not leak. Errors are JSON ``{"error": ..., "fix": ...}`` on
the API, a short page on the pages.
"""

from __future__ import annotations

import fnmatch
import html
import json
import logging
import math
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from lunarops import __version__
from lunarops.errors import LunarOpsError
from lunarops.store import Catalog, RunRecord
from lunarops.web.access import AccessPolicy, User, load_access
from lunarops.web.catalog import catalog_overview, check_catalog_exists, newest_visible, record_of, visible_ids

COOKIE = "lunarops_token"
log = logging.getLogger("lunarops.web")
_MAX_LIST = 10_000


class WebError(Exception):
    """An answer other than 200: status, what went wrong, how to fix it; ``auth_error``: for a 401, the RFC 6750
    error code of its ``WWW-Authenticate: Bearer`` challenge ("" when the request had no credentials)."""

    def __init__(self, status: int, error: str, fix: str, auth_error: str = "") -> None:
        super().__init__(error)
        self.status, self.error, self.fix, self.auth_error = status, error, fix, auth_error


# RFC 9111 sec. 5.2.2.3 and 5.2.2.7: what needs a login is neither stored by a shared cache (a proxy) nor kept on
# disk by the browser; sent on every response (login and error pages too, which may name runs)
CACHE_CONTROL = "private, no-store"
REALM = "lunarops"


def bearer_challenge(error: WebError | None = None) -> str:
    """The ``WWW-Authenticate`` value of a 401 (RFC 6750 sec. 3): the Bearer scheme and realm, and the error code
    (sec. 3.1: ``invalid_token``, ``invalid_request``) when the request had credentials."""
    challenge = f'Bearer realm="{REALM}"'
    if error is not None and error.auth_error:
        description = error.error.replace("\\", "").replace('"', "'")
        challenge += f', error="{error.auth_error}", error_description="{description}"'
    return challenge


class _Access:
    """The access policy, re-read from the access file when that changes (its modification time, size or inode:
    `lunarops access` replaces it atomically), so that added, removed and re-tokened users take effect without a
    restart. A file that cannot be read or is invalid locks everyone out (503) until it is fixed: access is never
    granted by a stale policy (a removed user would keep it)."""

    def __init__(self, policy: AccessPolicy, path: Path | None) -> None:
        self.policy, self.path = policy, path
        self.problem: str | None = None
        self.stamp = self._stamp()
        self.lock = threading.Lock()  # the sync routes run in a thread pool

    def _stamp(self) -> tuple[int, int, int] | None:
        if self.path is None:
            return None
        try:
            info = self.path.stat()
        except OSError:
            return (-1, -1, -1)
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    def current(self) -> AccessPolicy:
        with self.lock:
            stamp = self._stamp()
            if self.path is not None and stamp != self.stamp:
                self.stamp = stamp
                try:
                    self.policy, self.problem = load_access(self.path, require_users=False), None
                    log.warning("lunarops dashboard: access file %s changed: re-read (%d users)", self.path,
                                len(self.policy.users))
                except (LunarOpsError, OSError) as error:
                    self.problem = str(error)
                    log.error("lunarops dashboard: %s; nobody is let in until it is fixed", error)
        if self.problem is not None:
            raise WebError(503, "the dashboard's access file cannot be read",
                           "try again later; if it persists, tell your dashboard's operator")
        return self.policy


def create_app(
    catalog_url: str | None, policy: AccessPolicy, secure_cookies: bool = False, access_path: Path | None = None
) -> FastAPI:
    """The dashboard over the catalog at ``catalog_url`` (None: the default catalog) for ``policy``'s users;
    ``secure_cookies`` when it is served over HTTPS (the login cookie then travels over HTTPS only);
    ``access_path``: the access file ``policy`` was read from, re-read when it changes (None: never). The dashboard
    only reads: an SQLite catalog file that does not exist is refused (InputError), not created. ``app.state``
    holds ``run_count`` and ``unmatched_patterns`` (organization, pattern) that match no run of the catalog."""
    catalog = Catalog(check_catalog_exists(catalog_url))
    access = _Access(policy, Path(access_path) if access_path is not None else None)
    if access.path is not None and access.path.exists() and access.path.stat().st_mode & 0o022:
        # whoever may write the access file may add an admin (OWASP A01:2021)
        log.warning("lunarops dashboard: access file %s is writable by its group or others; chmod go-w %s",
                    access.path, access.path)
    app = FastAPI(title="lunarops", version=__version__, docs_url=None, redoc_url=None)

    def get(path: str, **options: Any) -> Callable[[Any], Any]:
        """A GET route that answers HEAD too (health checks, curl -I)."""
        return app.api_route(path, methods=["GET", "HEAD"], **options)

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        return _secure(await call_next(request))

    def user_of(request: Request) -> User:
        # RFC 6750 sec. 2.1: "Authorization: Bearer TOKEN" (the scheme is case-insensitive, RFC 9110 sec. 11.1);
        # another scheme (Basic, say, from a reverse proxy's own login) leaves the login cookie to be used
        header = request.headers.get("authorization", "").strip()
        scheme, _, credentials = header.partition(" ")
        bearer = scheme.lower() == "bearer"
        token = credentials.strip() if bearer else request.cookies.get(COOKIE, "")
        if not token:
            if header:
                raise WebError(401, "Authorization must be 'Bearer TOKEN'",
                               "send 'Authorization: Bearer TOKEN' (the token `lunarops access add-user` printed) "
                               "or log in at /login", "invalid_request")
            raise WebError(401, "no access token", "send 'Authorization: Bearer TOKEN' or log in at /login")
        user = access.current().user_for_token(token)
        if user is None:
            raise WebError(401, "unknown access token",
                           "check the token (it may have been rotated or its user removed); `lunarops access "
                           "add-user` or `rotate-token` issues one", "invalid_token")
        return user

    def visible_run(user: User, run_id: str) -> RunRecord:
        # among the runs the user may see only: neither a 404 nor an ambiguous prefix tells of the others
        shown = run_id if len(run_id) <= 80 else run_id[:77] + "..."
        may_see = may_see_of(user)
        matches = visible_ids(catalog, may_see, run_id, 1000)
        if run_id in matches or len(matches) == 1:
            chosen = run_id if run_id in matches else matches[0]
            found = record_of(catalog, chosen)  # visible: visible_ids chose it
            if found is not None:
                return found
        elif matches:
            raise WebError(400, f"run id prefix {shown!r} matches {len(matches)} of your runs", "give more characters")
        raise WebError(
            404, f"no run with id {shown!r} visible to organization {user.organization!r}",
            "list the runs you may see at /api/runs; an admin can share the scenario with your organization",
        )

    def limit_of(request: Request) -> int:
        text = request.query_params.get("limit", "50")
        if not re.fullmatch(r"[0-9]{1,5}", text) or not 1 <= int(text) <= _MAX_LIST:
            raise WebError(400, f"limit = {text[:20]!r} is not a whole number in 1..{_MAX_LIST}", "e.g. ?limit=100")
        return int(text)

    def may_see_of(user: User) -> Callable[[str], bool] | None:
        """Which scenario names the user may see (None: every one, an admin)."""
        policy = access.current()
        return None if user.role == "admin" else lambda name: policy.can_see(user, name)

    def runs_for(user: User, limit: int) -> list[RunRecord]:
        """The newest ``limit`` runs the user may see, however many newer runs they may not."""
        return newest_visible(catalog, may_see_of(user), limit)

    @app.exception_handler(WebError)
    async def _web_error(request: Request, error: WebError) -> Response:
        if request.url.path.startswith("/api/"):
            # RFC 6750 sec. 3 (and RFC 9110 sec. 15.5.2): a 401 names the scheme that would be accepted
            headers = {"WWW-Authenticate": bearer_challenge(error)} if error.status == 401 else None
            return JSONResponse({"error": error.error, "fix": error.fix}, status_code=error.status, headers=headers)
        if error.status == 401:
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        body = f"<h1>{error.status}</h1><p>{html.escape(error.error)}</p><p>{html.escape(error.fix)}</p>"
        return HTMLResponse(_page("lunarops", body), status_code=error.status)

    @app.exception_handler(LunarOpsError)
    async def _store_error(request: Request, error: LunarOpsError) -> Response:
        log.error("lunarops dashboard: %s", error)  # the details (database, paths) stay on the server
        fix = "try again later; if it persists, tell your dashboard's operator"
        return await _web_error(request, WebError(503, "the run catalog is unavailable", fix))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        fixes = {404: "see docs/web.md for the pages and the API", 405: "use GET (or HEAD) on this path"}
        fix = fixes.get(error.status_code, "see docs/web.md")
        response = await _web_error(request, WebError(error.status_code, str(error.detail), fix))
        response.headers.update(error.headers or {})  # a 405's Allow (RFC 9110 sec. 15.5.6: it MUST be sent)
        return response

    @app.exception_handler(Exception)
    async def _crash(request: Request, error: Exception) -> Response:
        # answered outside the middleware (Starlette's ServerErrorMiddleware): the headers are set here; no
        # traceback or path reaches the client (OWASP A05:2021), the server's log has it
        log.error("lunarops dashboard: %s %s failed: %r", request.method, request.url.path, error)
        fix = "try again later; if it persists, tell your dashboard's operator"
        return _secure(await _web_error(request, WebError(500, "internal error", fix)))

    @app.exception_handler(RequestValidationError)
    async def _bad_request(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return await _web_error(request, WebError(400, f"{where}: {first.get('msg', 'bad request')}", "see /api"))

    @get("/api/runs")
    def api_runs(request: Request) -> JSONResponse:
        user = user_of(request)
        return JSONResponse({"organization": user.organization, "runs": [_run_json(r) for r in
                                                                         runs_for(user, limit_of(request))]})

    @get("/api/runs/{run_id}")
    def api_run(run_id: str, request: Request) -> JSONResponse:
        record = visible_run(user_of(request), run_id)
        return JSONResponse(
            {**_run_json(record), "summary": _finite(_public_summary(record.summary)), "error": record.error}
        )

    def with_output(record: RunRecord) -> RunRecord:
        """The record, if its output directory still holds this run's output; else the 404 the report gives."""
        if _own_output(record) is None:
            raise WebError(404, f"run {record.run_id}'s output is not here", _MISSING_OUTPUT)
        return record

    @get("/api/runs/{run_id}/results")
    def api_results(run_id: str, request: Request) -> JSONResponse:
        record = with_output(visible_run(user_of(request), run_id))
        return JSONResponse({"run_id": record.run_id, "files": [p.name for p in _result_files(record)]})

    @get("/api/runs/{run_id}/results/{name}")
    def api_result_file(run_id: str, name: str, request: Request) -> FileResponse:
        record = with_output(visible_run(user_of(request), run_id))
        files = {p.name: p for p in _result_files(record)}
        if name not in files:
            raise WebError(404, f"run {record.run_id} has no result file {name!r}", f"choose one of {sorted(files)}")
        return FileResponse(files[name], media_type="application/vnd.apache.parquet", filename=name)

    @get("/", response_class=HTMLResponse)
    def index(request: Request) -> HTMLResponse:
        user = user_of(request)
        rows = "".join(
            f"<tr><td><input type=checkbox name=run value='{html.escape(r.run_id)}'></td>"
            f"<td><a href='/runs/{quote(r.run_id)}'>{html.escape(r.run_id)}</a></td>"
            f"<td>{html.escape(r.scenario_name)}</td><td>{html.escape(r.status)}</td>"
            f"<td>{_when(r)}</td><td>{'' if r.elapsed_s is None else f'{r.elapsed_s:.1f}'}</td></tr>"
            for r in runs_for(user, limit_of(request))
        )
        table = (
            "<form action=/compare><table><tr><th></th><th>run</th><th>scenario</th><th>status</th>"
            "<th>started (UTC)</th><th>elapsed [s]</th></tr>"
            f"{rows or '<tr><td colspan=6>no runs shared with your organization yet</td></tr>'}</table>"
            "<p><button>compare the ticked runs</button></p></form>"
        )
        who = f"{html.escape(user.name)} ({html.escape(user.organization)}, {user.role})"
        head = f"<p>{who} · <a href='/logout'>log out</a></p>"
        return HTMLResponse(_page("lunarops runs", "<h1>Runs</h1>" + head + table))

    @get("/compare", response_class=HTMLResponse)
    def compare(request: Request) -> HTMLResponse:
        user = user_of(request)
        ids = [i for i in request.query_params.getlist("run") if i]
        if not 2 <= len(ids) <= 20:
            raise WebError(400, f"compare takes 2 to 20 runs, got {len(ids)}", "tick 2 to 20 runs on / and compare")
        records = [visible_run(user, i) for i in ids]
        only_differ = request.query_params.get("only") == "differ"
        flat = [_flat_summary(_public_summary(r.summary)) for r in records]
        keys: list[tuple[str, str]] = []
        for entries in flat:
            keys.extend(k for k in entries if k not in keys)
        keys.sort(key=lambda k: (_stage_order(records, k[0]), _entry_order(flat, k)))
        head = "".join(f"<th><a href='/runs/{quote(r.run_id)}'>{html.escape(r.run_id)}</a><br>"
                       f"{html.escape(r.scenario_name)}</th>" for r in records)
        rows = []
        for stage, key in keys:
            cells = [_cell(entries[(stage, key)]) if (stage, key) in entries else "" for entries in flat]
            differ = len(set(cells)) > 1
            if only_differ and not differ:
                continue
            label = f"<td>{html.escape(stage)}</td><td>{html.escape(key)}</td>"
            tds = "".join(f"<td>{c}</td>" for c in cells)
            rows.append(f"<tr{' class=differ' if differ else ''}>{label}{tds}</tr>")
        if not rows:
            rows.append(f"<tr><td colspan={len(records) + 2}>the runs' summaries do not differ</td></tr>")
        table = f"<table><tr><th>stage</th><th>quantity</th>{head}</tr>{''.join(rows)}</table>"
        query = "&".join(f"run={quote(i)}" for i in ids)
        toggle = (f"<a href='/compare?{query}'>show all rows</a>" if only_differ
                  else f"<a href='/compare?{query}&amp;only=differ'>show only the rows that differ</a>")
        text = ("<h1>Compare runs</h1><p>Rows where the runs differ are marked; nested entries (components, loads, "
                f"sweep parameters) have a row each. {toggle} · <a href='/'>all runs</a></p>")
        return HTMLResponse(_page("lunarops compare", text + table))

    @get("/runs/{run_id}", response_class=HTMLResponse)
    def run_page(run_id: str, request: Request) -> HTMLResponse:
        record = visible_run(user_of(request), run_id)
        rid = quote(record.run_id)
        present = _own_output(record) is not None
        has_report = _own_file(record, "report.html") is not None
        results = _result_files(record)
        links = ([f"<a href='/runs/{rid}/report'>full report</a>"] if has_report else []) + [
            f"<a href='/api/runs/{rid}'>JSON</a>"
        ]
        parts = [
            f"<h1>{html.escape(record.scenario_name)}</h1>",
            f"<p>run {html.escape(record.run_id)} · {html.escape(record.status)} · started {_when(record)} UTC · "
            f"{' · '.join(links)} · <a href='/'>all runs</a></p>",
        ]
        if record.status == "running":
            parts.append(f"<p class=note>{html.escape(_still_running(record))}</p>")
        elif not present:
            parts.append(
                f"<p class=note>No report or result files: {html.escape(_MISSING_OUTPUT)}. The summary below is "
                "the catalog's.</p>"
            )
        elif not has_report:
            parts.append(f"<p class=note>No report: {html.escape(_no_report(record))}.</p>")
        if record.error:
            parts.append(f"<p class=error>{html.escape(record.error)}</p>")
        for stage, values in _public_summary(record.summary).items():
            items = values.items() if isinstance(values, dict) else [("value", values)]
            shown = [(k, v) for k, v in items if not _is_columns_of(str(k), values)]
            rows = "".join(
                f"<tr><td>{html.escape(str(k))}</td><td>{_value_html(str(k), v, values)}</td></tr>" for k, v in shown
            )
            parts.append(f"<h2>{html.escape(str(stage))}</h2><table>{rows}</table>")
        if results:
            parts.append(_results_html(rid, results))
        return HTMLResponse(_page(record.scenario_name, "".join(parts)))

    @get("/runs/{run_id}/report")
    def report(run_id: str, request: Request) -> FileResponse:
        record = visible_run(user_of(request), run_id)
        path = _own_file(record, "report.html")
        if path is None:
            fix = _MISSING_OUTPUT if _own_output(record) is None else _no_report(record)
            raise WebError(404, f"run {record.run_id} has no report here", fix)
        # the report runs its plotting scripts in a sandbox (an opaque origin): they cannot call this API
        headers = {"Content-Security-Policy": "sandbox allow-scripts"}
        return FileResponse(path, media_type="text/html", headers=headers)

    @get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        target = html.escape(_safe_next(request.query_params.get("next", "/")))
        form = (
            "<h1>lunarops</h1><form method=post action=/login>"
            f"<input type=hidden name=next value='{target}'>"
            "<label>access token <input type=password name=token size=50 autofocus></label> "
            "<button>log in</button></form><p>Your organization's administrator issues tokens "
            "(<code>lunarops access add-user</code>).</p>"
        )
        return HTMLResponse(_page("lunarops login", form))

    @app.post("/login")
    async def login(request: Request) -> Response:
        # login CSRF (OWASP CSRF cheat sheet, Fetch Metadata): another site's page may not log a browser in
        if request.headers.get("sec-fetch-site", "") in ("cross-site", "same-site"):
            body = "<h1>lunarops</h1><p>log in from this dashboard's own <a href='/login'>login page</a></p>"
            return HTMLResponse(_page("lunarops login", body), status_code=403)
        # the body is read up to a bound: a huge one cannot fill the server's memory (OWASP API4:2023)
        data = b""
        async for chunk in request.stream():
            data += chunk
            if len(data) > _MAX_LOGIN_BODY:
                body = f"<h1>lunarops</h1><p>the login form is larger than {_MAX_LOGIN_BODY} bytes</p>"
                return HTMLResponse(_page("lunarops login", body), status_code=413)
        fields = parse_qs(data.decode("utf-8", "replace"))
        token = (fields.get("token") or [""])[0].strip()
        target = _safe_next((fields.get("next") or ["/"])[0])
        if not token:
            body = ("<h1>lunarops</h1><p>no token entered; paste the token your administrator gave you and "
                    f"<a href='/login?next={quote(target)}'>try again</a></p>")
            return HTMLResponse(_page("lunarops login", body), status_code=400)
        if access.current().user_for_token(token) is None:
            body = "<h1>lunarops</h1><p>unknown access token; check it and <a href='/login'>try again</a></p>"
            return HTMLResponse(_page("lunarops login", body), status_code=401,
                                headers={"WWW-Authenticate": bearer_challenge()})
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite=_SAMESITE, secure=secure_cookies)
        return response

    @get("/logout")
    def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, httponly=True, samesite=_SAMESITE, secure=secure_cookies)
        return response

    app.state.catalog = catalog
    app.state.run_count, names = catalog_overview(catalog)
    app.state.unmatched_patterns = [
        (org.name, pattern) for org in policy.organizations for pattern in org.scenarios
        if not any(fnmatch.fnmatchcase(n, pattern) for n in names)
    ]
    return app


_SAMESITE: Literal["strict"] = "strict"  # the login cookie's, set and deleted alike

# the pages need no script, image or other origin: only their own <style> and forms to this site; no framing
# (OWASP A05:2021, CSP Level 3); the report keeps its own "sandbox allow-scripts"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
_MAX_LOGIN_BODY = 16 * 1024  # bytes: a token (43 characters) and a path to go to


def _secure(response: Response) -> Response:
    """The security headers of every answer (set unless the route set its own)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("Referrer-Policy", "no-referrer")  # run ids in URLs go to no other site
    response.headers["Cache-Control"] = CACHE_CONTROL  # over FileResponse's and any other
    return response


def _safe_next(target: str) -> str:
    """A local path to go to after login (never another site: browsers read "//host" and "/\\host" as another
    host, and drop tabs and newlines from a URL)."""
    local = target.startswith("/") and not target.startswith("//") and not any(c in target for c in "\\\t\r\n")
    return target if local else "/"


_MISSING_OUTPUT = (
    "its output directory no longer holds it (moved, deleted, or overwritten by a later run into the same --out); "
    "ask for it to be run again"
)


def _own_output(record: RunRecord) -> Path | None:
    """The run's output directory, if it still holds this run's output: its summary.json names the run (a later
    run with the same ``--out`` overwrites it)."""
    return Path(record.out_dir).resolve() if record.output_state() == "here" else None


def _own_file(record: RunRecord, relative: str) -> Path | None:
    """A regular file of the run's own output (no symbolic link, nothing outside the output directory)."""
    folder = _own_output(record)
    if folder is None:
        return None
    path = folder / relative
    if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(folder):
        return None
    return path


def _result_files(record: RunRecord) -> list[Path]:
    folder = _own_output(record)
    if folder is None or not (folder / "results").is_dir():
        return []
    files = (_own_file(record, f"results/{p.name}") for p in sorted((folder / "results").glob("*.parquet")))
    return [p for p in files if p is not None]


def _run_json(record: RunRecord) -> dict[str, Any]:
    return {
        "run_id": record.run_id,
        "scenario_name": record.scenario_name,
        "status": record.status,
        "started_utc": record.started_utc.isoformat() if record.started_utc else None,
        "finished_utc": record.finished_utc.isoformat() if record.finished_utc else None,
        "elapsed_s": record.elapsed_s,
    }


def _finite(value: Any) -> Any:
    """JSON has no inf or NaN: they become the strings 'inf', '-inf', 'nan'."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _when(record: RunRecord) -> str:
    return record.started_utc.strftime("%Y-%m-%d %H:%M") if record.started_utc else ""


def _duration(seconds: float) -> str:
    """A duration as '45 s', '12 min 5 s', '3 h 02 min' or '2 d 4 h'."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def _still_running(record: RunRecord, now: datetime | None = None) -> str:
    """What a running run's page says: since when, for how long so far, and to reload the page."""
    started = record.started_utc
    if not isinstance(started, datetime):
        return "Still running: its report and result files appear here when it finishes; reload this page."
    elapsed = ((now or datetime.now(UTC)) - started).total_seconds()
    text = (
        f"Still running: started {started:%Y-%m-%d %H:%M:%S} UTC, running for {_duration(elapsed)} so far; its "
        "report and "
        "result files appear here when it finishes: reload this page to see them."
    )
    if elapsed > 2 * 86400:
        text += (" (If it should have finished long ago, it may have been killed without being able to tell the "
                 "catalog, e.g. by kill -9 or a crash of its machine: ask for it to be run again.)")
    return text


def _no_report(record: RunRecord) -> str:
    """Why a run whose output is here has no report.html, and what to do."""
    if isinstance(record.summary.get("sweep_member"), dict):
        return "sweep members have no report; run the member's scenario with `lunarops run`"
    return "its output directory has no report.html (not written, or removed); run the scenario again: `lunarops run`"


def _scalar(value: Any) -> str:
    """One value as text: numbers to 6 significant digits, lists of values in brackets (not escaped)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(_finite(value), sort_keys=True, default=str)
    return str(value)


def _cell(value: Any) -> str:
    """A summary value as escaped HTML text (a mapping as sorted JSON)."""
    return html.escape(_scalar(value))


def _is_columns_of(key: str, values: Any) -> bool:
    """Whether ``key`` ("components_columns") names the columns of a table in the same stage ("components")."""
    return (key.endswith("_columns") and isinstance(values, dict)
            and isinstance(values.get(key.removesuffix("_columns")), dict))


def _columns_of(key: str, values: Any) -> list[str] | None:
    """The column names of the nested table ``key`` (its "KEY_columns" in the same stage), if listed."""
    columns = values.get(f"{key}_columns") if isinstance(values, dict) else None
    return [str(c) for c in columns] if isinstance(columns, list) else None


def _value_html(key: str, value: Any, values: Any) -> str:
    """A summary value on a run's page: a mapping of rows (name -> values, with "KEY_columns") as a small table
    sorted by name, any other mapping as key=value lines sorted by key, the rest as text; all escaped."""
    if not isinstance(value, dict):
        return _cell(value)
    columns = _columns_of(key, values)
    if columns is not None and all(isinstance(v, list) for v in value.values()):
        width = max([len(columns)] + [len(v) for v in value.values()])
        names = columns + [f"column {i + 1}" for i in range(len(columns), width)]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in names)
        body = "".join(
            f"<tr><td>{html.escape(str(name))}</td>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
            for name, row in sorted(value.items(), key=lambda item: str(item[0]))
        )
        return f"<table class=nested><tr><th>name</th>{head}</tr>{body}</table>"
    return "<br>".join(f"{html.escape(str(k))}={_cell(v)}" for k, v in sorted(value.items(), key=lambda i: str(i[0])))


def _public_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """A run's summary as partners see it: without server paths (a sweep member's ``sweep_dir``)."""
    member = summary.get("sweep_member")
    if not isinstance(member, dict) or "sweep_dir" not in member:
        return summary
    return {**summary, "sweep_member": {k: v for k, v in member.items() if k != "sweep_dir"}}


def _flat_summary(summary: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """A summary as (stage, quantity) -> value, a nested mapping's entries one by one: "components[name].column"
    for a table with "KEY_columns", "parameters[key]" for another mapping (sorted by name)."""
    flat: dict[tuple[str, str], Any] = {}
    for stage, values in summary.items():
        if not isinstance(values, dict):
            flat[(str(stage), "value")] = values
            continue
        for key, value in values.items():
            key = str(key)
            if _is_columns_of(key, values):
                continue
            columns = _columns_of(key, values)
            if not isinstance(value, dict):
                flat[(str(stage), key)] = value
                continue
            for name, row in sorted(value.items(), key=lambda item: str(item[0])):
                if columns is not None and isinstance(row, list):
                    for i, v in enumerate(row):
                        column = columns[i] if i < len(columns) else f"column {i + 1}"
                        flat[(str(stage), f"{key}[{name}].{column}")] = v
                else:
                    flat[(str(stage), f"{key}[{name}]")] = row
    return flat


def _stage_order(records: list[RunRecord], stage: str) -> int:
    """A stage's place: its first place in the runs' summaries."""
    for record in records:
        names = [str(s) for s in record.summary]
        if stage in names:
            return names.index(stage)
    return len(records)


def _entry_order(flat: list[dict[tuple[str, str], Any]], key: tuple[str, str]) -> tuple[int, str]:
    """An entry's place within its stage: the runs' order of the quantities; a nested mapping's entries by name
    (a table's columns in their order: the sort is stable)."""
    stage, quantity = key
    parent = quantity.split("[", 1)[0]
    for entries in flat:
        names = [q.split("[", 1)[0] for s, q in entries if s == stage]
        if parent in names:
            return names.index(parent), quantity.split("]", 1)[0] if "[" in quantity else ""
    return len(flat), quantity


_TABLES = ("_components.parquet", "_loads.parquet", "_loads_by_year.parquet")  # shown on the run's page
_MAX_TABLE_ROWS = 500
_MAX_TABLE_COLUMNS = 40


def _results_html(rid: str, files: list[Path]) -> str:
    """The run's result files as download links, and the small summary tables (components, loads, loads by year)
    as HTML tables (at most 500 rows, 40 columns; every value escaped)."""
    links = "".join(
        f"<li><a href='/api/runs/{rid}/results/{quote(p.name)}'>{html.escape(p.name)}</a></li>" for p in files
    )
    parts = ["<h2>Result tables</h2>"]
    for path in files:
        if path.name.endswith(_TABLES):
            parts.append(f"<h3>{html.escape(path.stem)}</h3>{_parquet_html(path)}")
    parts.append(f"<h2>Result files (Parquet)</h2><ul>{links}</ul>")
    return "".join(parts) if len(parts) > 2 else parts[-1]


def _parquet_html(path: Path) -> str:
    """A small Parquet file as an HTML table; a note when it is too large or cannot be read."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
        if meta.num_rows > _MAX_TABLE_ROWS or meta.num_columns > _MAX_TABLE_COLUMNS:
            return (f"<p class=note>{meta.num_rows} rows, {meta.num_columns} columns: too large to show here; "
                    "download it below</p>")
        table = pq.read_table(path).to_pylist()
        columns = [str(c) for c in pq.read_schema(path).names]
    except Exception as error:  # a damaged file is noted; the page still shows
        log.warning("lunarops dashboard: cannot read %s: %s", path, error)
        return "<p class=note>this file cannot be read; download it below</p>"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in table)
    return f"<table><tr>{head}</tr>{body}</table>"


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f3f3f3}.error{color:#a00}"
    ".note{color:#555;font-style:italic}"
    ".differ td{background:#fff6d5}.nested td,.nested th{font-size:90%;padding:.1em .4em}"
)


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )
