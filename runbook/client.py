"""HTTP for the runbook: one ``requests.Session``, timeouts, GET-only retries, a record of everything.

- Every request has a connect and a read timeout.
- GETs are retried with exponential backoff on connection errors, read errors and 5xx by urllib3's
  ``Retry`` mounted on an ``HTTPAdapter``. Nothing else is ever retried here: a POST that got no
  answer raises ``UncertainRequest`` so the caller re-reads the server's state before deciding.
- Every exchange (also the failed ones) goes to ``on_exchange`` with secrets masked.
- Every request that changes something (anything but GET) is journalled before it is sent
  (``RequestJournal.intent``) and its answer after (``outcome``): a crash in between leaves a
  journal that says the request may have arrived.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import ConnectionPool
from urllib3.util.retry import Retry

if TYPE_CHECKING:  # annotations only (Python 3.10 has no typing.Self at run time)
    # BaseHTTPResponse: urllib3 >= 2 only; at run time urllib3 1.26 (supported) is fine too.
    from typing_extensions import Self
    from urllib3.response import BaseHTTPResponse

from runbook.errors import RequestFailed, UncertainRequest
from runbook.secrets import SecretRegistry

RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})
USER_AGENT = "fjcloud-export-prep-runbook/0.1"


class RequestJournal(Protocol):
    """Where the intent and outcome of each request that changes something are written."""

    def intent(self, action: str, method: str, url: str, body: Any = None, **about: Any) -> str:
        """Record the request before it is sent; returns the intent's id."""
        ...

    def outcome(
        self,
        intent_id: str,
        *,
        status: int | None = None,
        summary: Any = None,
        error: str | None = None,
        **about: Any,
    ) -> None:
        """Record its answer (or the error instead)."""
        ...


class GetOnlyRetry(Retry):
    """urllib3 ``Retry`` that never retries a method outside ``allowed_methods``.

    Plain ``Retry`` retries *connection* errors for every method (the request "was not sent"),
    but a POST whose connection broke may have been sent; the runbook decides after re-reading.
    """

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        """Count one retry; for a non-GET, give up at once (raises ``MaxRetryError``)."""
        if method is not None and not self._is_method_retryable(method):
            exhausted = self.new(total=0)
            return Retry.increment(exhausted, method, url, response, error, _pool, _stacktrace)
        return super().increment(method, url, response, error, _pool, _stacktrace)


@dataclass(frozen=True)
class HttpSettings:
    """Timeouts, retries and TLS for every request of a run."""

    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    retries: int = 4
    backoff_factor: float = 0.5
    verify: bool | str = True  # True, or the path of a CA bundle; False only with --insecure


@dataclass
class Exchange:
    """One request and its response (or the error instead), secrets masked."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Any
    status: int | None = None
    reason: str = ""
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: Any = None
    elapsed_seconds: float = 0.0
    error: str | None = None
    retried: list[str] = field(default_factory=list)
    step: int | None = None

    def summary(self) -> str:
        """``POST <url> → 202 Accepted`` or ``GET <url> → ConnectionError …``."""
        outcome = (
            f"{self.status} {status_phrase(self.status, self.reason)}"
            if self.status is not None
            else f"{self.error}"
        )
        retried = f" (after retries: {', '.join(self.retried)})" if self.retried else ""
        return f"{self.method} {self.url} → {outcome}{retried}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for the evidence."""
        return {
            "step": self.step,
            "method": self.method,
            "url": self.url,
            "request": {"headers": self.request_headers, "body": self.request_body},
            "response": {
                "status": self.status,
                "reason": self.reason,
                "headers": self.response_headers,
                "body": self.response_body,
            },
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "error": self.error,
            "retried_after": self.retried,
        }


def status_phrase(status: int, reason: str) -> str:
    """The standard reason phrase (``Accepted``), whatever case the server sent it in."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return reason


def _summary(body: Any, limit: int = 300) -> str | None:
    """A masked body in one short line, for the journal's outcome records."""
    if body is None:
        return None
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def _decode_body(raw: bytes | str | None) -> Any:
    if raw is None or raw in (b"", ""):
        return None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        return json.loads(text)
    except ValueError:
        return text


class ApiClient:
    """The one ``requests.Session`` of a run, with the policies above."""

    def __init__(
        self,
        settings: HttpSettings,
        secrets: SecretRegistry,
        on_exchange: Callable[[Exchange], None],
        journal: RequestJournal | None = None,
        checkpoint: Callable[[str], None] = lambda point: None,
    ) -> None:
        self.settings = settings
        self.secrets = secrets
        self._on_exchange = on_exchange
        self._journal = journal
        self._checkpoint = checkpoint  # runbook.crashpoints: named instants for the crash tests
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.verify = settings.verify
        retry = GetOnlyRetry(
            total=settings.retries,
            connect=settings.retries,
            read=settings.retries,
            status=settings.retries,
            other=0,
            allowed_methods=frozenset({"GET", "HEAD"}),  # reads only: they change nothing
            status_forcelist=RETRYABLE_STATUSES,
            backoff_factor=settings.backoff_factor,
            backoff_max=10.0,
            raise_on_status=False,  # the last 5xx comes back as a response, with its fault body
            respect_retry_after_header=True,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()

    def get(self, url: str, *, headers: dict[str, str] | None = None) -> requests.Response:
        """GET with retries; raises ``RequestFailed`` when the retries are exhausted."""
        return self._send("GET", url, headers=headers or {}, body=None)

    def post(
        self,
        url: str,
        body: Any,
        *,
        headers: dict[str, str] | None = None,
        action: str = "request",
        about: dict[str, Any] | None = None,
    ) -> requests.Response:
        """POST a JSON body (or none: ``None``) once, journalled as ``action``; ``UncertainRequest`` without an answer."""
        return self._send("POST", url, headers=headers or {}, body=body, action=action, about=about)

    def head(self, url: str, *, headers: dict[str, str] | None = None) -> requests.Response:
        """HEAD with retries, like a GET (Swift's object metadata: size, ETag, manifest)."""
        return self._send("HEAD", url, headers=headers or {}, body=None)

    def put(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        action: str = "request",
        about: dict[str, Any] | None = None,
    ) -> requests.Response:
        """PUT without a body once (Swift's container create), journalled as ``action``."""
        return self._send("PUT", url, headers=headers or {}, body=None, action=action, about=about)

    def delete(
        self,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        action: str = "request",
        about: dict[str, Any] | None = None,
    ) -> requests.Response:
        """DELETE once, journalled as ``action``; never retried (the caller re-reads first)."""
        return self._send(
            "DELETE", url, headers=headers or {}, body=None, action=action, about=about
        )

    def stream(self, url: str, *, headers: dict[str, str] | None = None) -> requests.Response:
        """GET whose body the caller reads in chunks (a download); the record leaves the body out.

        Retries apply to getting the answer; a connection that breaks while the body streams
        raises from ``iter_content`` and the caller resumes with a ``Range`` request.
        """
        return self._send("GET", url, headers=headers or {}, body=None, stream=True)

    def _send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: Any,
        action: str = "read",
        about: dict[str, Any] | None = None,
        stream: bool = False,
    ) -> requests.Response:
        send_headers = {"Accept": "application/json", **headers} if not stream else dict(headers)
        if body is not None:
            send_headers["Content-Type"] = "application/json"
        exchange = Exchange(
            method=method,
            url=self.secrets.mask_text(url),
            request_headers=self.secrets.mask_headers(send_headers),
            request_body=self.secrets.mask(body),
        )
        intent_id = None
        if method not in ("GET", "HEAD") and self._journal is not None:
            intent_id = self._journal.intent(
                action, method, exchange.url, exchange.request_body, **(about or {})
            )
            self._checkpoint(f"{action}/intent-journalled")
        started = time.monotonic()
        try:
            response = self._request(method, url, send_headers, body, stream)
        except requests.RequestException as exc:
            exchange.elapsed_seconds = time.monotonic() - started
            exchange.error = self.secrets.mask_text(f"{type(exc).__name__}: {exc}")
            classified = self._classify(method, url, exc)
            if intent_id is not None and self._journal is not None:
                arrived = (
                    "may have arrived" if isinstance(classified, UncertainRequest) else "not sent"
                )
                self._journal.outcome(intent_id, error=f"{exchange.error} ({arrived})")
            self._on_exchange(exchange)
            raise classified from exc
        exchange.elapsed_seconds = time.monotonic() - started
        if intent_id is not None and self._journal is not None:
            self._checkpoint(f"{action}/answered")
            self._journal.outcome(
                intent_id,
                status=response.status_code,
                summary=_summary(self.secrets.mask(_decode_body(response.content))),
                request_id=response.headers.get("x-openstack-request-id"),
            )
            self._checkpoint(f"{action}/outcome-journalled")
        # What was really sent, with the session's own headers (User-Agent, Content-Length …).
        exchange.request_headers = self.secrets.mask_headers(dict(response.request.headers))
        exchange.status = response.status_code
        exchange.reason = response.reason or ""
        exchange.response_headers = self.secrets.mask_headers(dict(response.headers))
        exchange.response_body = (
            f"(streamed to a file: {response.headers.get('Content-Length', '?')} bytes)"
            if stream and response.ok
            else self.secrets.mask(_decode_body(response.content))
        )
        exchange.retried = _retry_history(response)
        self._on_exchange(exchange)
        return response

    def _request(
        self, method: str, url: str, headers: dict[str, str], body: Any, stream: bool
    ) -> requests.Response:
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        with warnings.catch_warnings():
            if self.settings.verify is False:
                # --insecure was asked for explicitly and is announced once by the runbook;
                # urllib3 would otherwise warn on every request (an error under pytest's filters).
                warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            return self.session.request(
                method,
                url,
                headers=headers,
                data=None if body is None else json.dumps(body),
                timeout=timeout,
                allow_redirects=False,
                stream=stream,
            )

    def _classify(self, method: str, url: str, exc: requests.RequestException) -> Exception:
        masked_url = self.secrets.mask_text(url)
        cause = self.secrets.mask_text(_short_cause(exc))
        if isinstance(exc, requests.exceptions.SSLError):
            return RequestFailed(
                f"{method} {masked_url}: TLS verification failed ({cause})",
                hint="give the CA bundle with --ca-bundle or OS_CACERT (or, knowingly, --insecure)",
            )
        if method not in ("GET", "HEAD") and not _never_sent(exc):
            # Connection dropped or read timeout after sending: the server may have acted.
            return UncertainRequest(method, masked_url, cause)
        retries = f" after {self.settings.retries} retries" if method in ("GET", "HEAD") else ""
        return RequestFailed(
            f"{method} {masked_url}: no answer{retries} ({cause})",
            hint="check the endpoint URL, the network path (proxy, VPN) and that the service is up",
        )


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        inner = getattr(current, "reason", None)
        current = (
            inner if isinstance(inner, BaseException) else current.__cause__ or current.__context__
        )
    return chain


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the connection was never made, so the server cannot have seen the request."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    return any(
        isinstance(cause, urllib3.exceptions.NewConnectionError | ConnectionRefusedError)
        for cause in _causes(exc)
    )


def _short_cause(exc: requests.RequestException) -> str:
    """The innermost reason, e.g. ``ConnectionRefusedError: [Errno 111] Connection refused``."""
    reason = _causes(exc)[-1]
    text = str(reason)
    return f"{type(reason).__name__}: {text}" if text else type(reason).__name__


def _retry_history(response: requests.Response) -> list[str]:
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", ()) or ()
    return [
        str(entry.status) if entry.status is not None else type(entry.error).__name__
        for entry in history
    ]
