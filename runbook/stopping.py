"""Steps 4–5's decisions: confirm, stop idempotently, recover from an uncertain POST, wait for SHUTOFF."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import requests

from runbook.client import RETRYABLE_STATUSES, status_phrase
from runbook.compute import ComputeApi, ServerNotFound, ServerView
from runbook.console import Console
from runbook.errors import ApiError, NotConfirmed, UncertainRequest, WaitFailed
from runbook.identity import fault_message
from runbook.journal import Journal
from runbook.procedure import StopAttempt, stop_attempts
from runbook.progress import poll_clock
from runbook.secrets import SecretRegistry


@dataclass(frozen=True)
class StopOutcome:
    """What step 4 did, in one line for the report; ``accepted``: a stop is under way."""

    sent: bool
    summary: str
    accepted: bool = True


def confirm_stop(console: Console, server: ServerView, region: str | None) -> str:
    """Ask before stopping a production server (returns the question); refuse without a terminal."""
    where = f"region {region or '-'}, availability zone {server.availability_zone or '-'}"
    question = (
        f"Stop server {server.name!r} (id {server.id}, {where}, now status {server.status}, "
        f"task_state {server.task_state or '-'})? The stop API is equivalent to a forced stop."
    )
    answer = console.confirm(question)
    if answer is None:
        raise NotConfirmed(
            f"refusing to stop {server.name!r} ({server.id}): there is no terminal to confirm on "
            "and --yes was not given. Nothing was stopped.",
            hint="run it on a terminal to be asked, or pass --yes to confirm non-interactively",
        )
    if not answer:
        raise NotConfirmed(
            f"not confirmed: {server.name!r} ({server.id}) was not stopped",
            hint="run again with --from-step 4 when it may be stopped",
        )
    return question


def earlier_stop(
    attempts: list[StopAttempt], server: ServerView, journal: Journal, note: Callable[[str], None]
) -> str | None:
    """Decide from a fresh read when the journal holds an earlier os-stop of this server.

    Returns what was done when nothing may be sent or asked (the stop is under way or done);
    None when the server shows no trace of the stop, so it may be asked for again (and says
    why); raises when the server's state leaves it open whether that stop took effect.
    """
    if not attempts:
        return None
    last = attempts[-1]
    intent_at = str(last.intent.get("at"))
    known = (
        "accepted"
        if last.accepted
        else "refused"
        if _refused(last)
        else "sent without a journalled answer"
        if last.outcome is None
        else "answered without a clear result"
    )
    note(
        f"the journal holds an os-stop of this server at {intent_at} ({known}, intent "
        f"{last.intent['id']}); the server now: status {server.status}, task_state "
        f"{server.task_state or '-'}, updated {server.updated or '-'}"
    )
    if server.status == "SHUTOFF" or server.task_state == "powering-off":
        conclusion = "done" if server.status == "SHUTOFF" else "under way"
        detail = f"status {server.status}, task_state {server.task_state or '-'}"
        if not last.accepted:
            conclusion = "arrived"  # an unanswered (or unclear) stop did reach Nova
        journal.append("stop_check", intent=last.intent["id"], conclusion=conclusion, detail=detail)
        said = "arrived" if conclusion == "arrived" else f"is {conclusion}"
        return f"the os-stop of {intent_at} {said} ({detail}): not sent or asked again"
    if _refused(last):
        return None  # Nova refused it (409 locked, …): nothing is under way, a new stop may go
    no_task = server.task_state is None and server.status in ("ACTIVE", "ERROR")
    if no_task and not last.accepted and not _updated_after(server.updated, intent_at):
        detail = (
            f"status {server.status}, no task, last updated {server.updated or '-'} — not after "
            f"the intent of {intent_at}"
        )
        journal.append(
            "stop_check", intent=last.intent["id"], conclusion="never arrived", detail=detail
        )
        note(f"the stop never arrived ({detail}): it may be asked for again")
        return None
    raise WaitFailed(
        f"the os-stop of {intent_at} was {known}, and the server is now status {server.status}, "
        f"task_state {server.task_state or '-'}, updated {server.updated or '-'}: it is not clear "
        "whether that stop took effect (someone may have started the server again)",
        hint="check `openstack server show` and the server's action log (`openstack server event "
        "list`); to stop it again deliberately, start a new procedure with --new-procedure",
    )


def _refused(attempt: StopAttempt) -> bool:
    status = attempt.outcome.get("status") if attempt.outcome else None
    return isinstance(status, int) and 400 <= status < 500


def _updated_after(updated: str | None, intent_at: str) -> bool:
    """True when Nova's ``updated`` may be after the intent (or cannot be read: the safe answer).

    Nova's ``updated`` has whole seconds, the intent milliseconds: an update in the intent's own
    second counts as after it.
    """
    try:
        moment = datetime.fromisoformat((updated or "").replace("Z", "+00:00"))
        intent = datetime.fromisoformat(intent_at.replace("Z", "+00:00"))
    except ValueError:
        return True
    return moment >= intent.replace(microsecond=0)


def stop_server(
    compute: ComputeApi, note: Callable[[str], None], journal: Journal | None = None
) -> StopOutcome:
    """POST os-stop once; 202 → sent; 409 powering-off / stopped → fine; other 409 → fail.

    ``journal``: where the re-read after an unclear answer records what it concluded (before a
    second POST, if any), so that a second os-stop is only ever sent with the reason on disk.
    """
    url = compute.variables.server_url() + "/action"
    try:
        response = compute.stop_server()
    except UncertainRequest as exc:
        return _after_uncertain_post(compute, note, exc, journal)
    if response.status_code in RETRYABLE_STATUSES:
        # A 5xx (often from a proxy or a busy API node) leaves it open whether Nova acted.
        cause = f"{response.status_code} {status_phrase(response.status_code, response.reason)}"
        return _after_uncertain_post(compute, note, UncertainRequest("POST", url, cause), journal)
    return _judge(response, url, compute.client.secrets)


def _judge(response: requests.Response, url: str, secrets: SecretRegistry) -> StopOutcome:
    if response.status_code == 202:
        return StopOutcome(True, "os-stop sent: 202 Accepted")
    fault = fault_message(response, secrets) or ""
    if response.status_code == 409:
        # nova/compute/api.py check_instance_state: "Cannot 'stop' instance <uuid> while it is in
        # task_state powering-off" / "… vm_state stopped"; nova/exception.py InstanceIsLocked.
        if "task_state powering-off" in fault:
            return StopOutcome(False, "already powering off (409 from Nova): step 5 waits for it")
        if "vm_state stopped" in fault:
            return StopOutcome(
                False, "already stopped (409 vm_state stopped): nothing to do", accepted=False
            )
        if "locked" in fault.lower():
            hint = (
                "the server is locked: whoever locked it (you, a colleague or the administrator) "
                "must unlock it (`openstack server unlock <SERVER_ID>`), then run --from-step 4"
            )
        else:
            hint = (
                "another task is running on the server: wait until `openstack server show` shows "
                "no task_state, then run --from-step 4"
            )
        raise ApiError("POST", url, 409, response.reason, fault, hint=hint)
    raise ApiError("POST", url, response.status_code, response.reason, fault or None)


def _after_uncertain_post(
    compute: ComputeApi,
    note: Callable[[str], None],
    exc: UncertainRequest,
    journal: Journal | None,
) -> StopOutcome:
    # Never resend blindly: read what the server is doing first.
    note(f"no clear answer to the POST ({exc.cause}): reading the server's state before deciding")
    server = compute.show_server()
    note(f"server now: {server.state_line()}")
    attempts = stop_attempts(journal.records, server.id) if journal else []
    intent = attempts[-1].intent if attempts else None

    def conclude(conclusion: str) -> None:
        if journal is not None and intent is not None:
            detail = f"re-read after no clear answer ({exc.cause}): {server.state_line()}"
            journal.append("stop_check", intent=intent["id"], conclusion=conclusion, detail=detail)

    if server.status == "SHUTOFF" or server.task_state == "powering-off":
        conclude("arrived")
        return StopOutcome(
            True,
            f"the stop arrived despite the dropped answer (now {server.status}, task_state {server.task_state or '-'})",
        )
    untouched = intent is None or not _updated_after(server.updated, str(intent["at"]))
    if server.status in ("ACTIVE", "ERROR") and server.task_state is None and untouched:
        conclude("never arrived")
        note("the stop did not arrive: sending it once more, now that the state is known")
        try:
            response = compute.stop_server()
        except UncertainRequest as again:
            raise UncertainRequest(again.method, again.url, f"{again.cause}, twice") from again
        if response.status_code in RETRYABLE_STATUSES:
            raise UncertainRequest("POST", exc.url, f"{exc.cause}, then {response.status_code}")
        outcome = _judge(
            response, compute.variables.server_url() + "/action", compute.client.secrets
        )
        second = " (second attempt, after re-reading the state)"
        return StopOutcome(outcome.sent, outcome.summary + second, outcome.accepted)
    raise WaitFailed(
        f"the POST got no answer and the server is now {server.state_line()}",
        hint="check the server (`openstack server show`) and run --from-step 4 or 5 as it fits",
    )


def in_error(server: ServerView) -> WaitFailed | None:
    """The failure of a server in ERROR with no task left, or None.

    ERROR *with* a task is a stop under way: Nova stops a server in vm_state error too
    (nova/compute/api.py ``stop``: ``check_instance_state(vm_state=[ACTIVE, ERROR])``) and its
    status stays ERROR until vm_state changes (nova/api/openstack/common.py
    ``status_from_state``), so the wait goes on. A stop that fails ends with task_state None and
    the server in ERROR (nova/compute/manager.py sets the error state and clears the task).
    """
    if server.status != "ERROR" or server.task_state is not None:
        return None
    fault = f" ({server.fault})" if server.fault else ""
    return WaitFailed(
        f"the server is in ERROR and no stop is under way{fault}: {server.state_line()}",
        hint="the cloud could not stop it: look at `openstack server show` and give the "
        "request ids in the evidence to FJcloud-O support",
    )


def wait_for_shutoff(
    compute: ComputeApi,
    *,
    interval: float,
    timeout: float,
    progress: Callable[[str], None],
    stop_accepted: bool = False,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[ServerView, float]:
    """GET the server every ``interval`` s until SHUTOFF; fail on ERROR with no task (``in_error``),
    404 or ``timeout``.

    ``stop_accepted``: step 4 saw the stop accepted in this run, so an ACTIVE server with no
    task_state means the stop ended without stopping it (Nova sets task_state powering-off before
    it answers 202 and clears it when the stop fails) — fail now instead of at the timeout.
    """
    started = clock()
    while True:
        try:
            server = compute.show_server()
        except ServerNotFound as exc:
            raise WaitFailed(
                f"the server vanished while waiting for SHUTOFF: {exc.message}",
                hint="it was deleted (or moved out of the project): nothing left to export from it",
            ) from exc
        elapsed = clock() - started
        progress(
            f"{poll_clock(elapsed, interval)} s  status {server.status:<8} task_state {server.task_state or '-'}"
        )
        if server.status == "SHUTOFF":
            return server, elapsed
        failed = in_error(server)
        if failed is not None:
            raise failed
        if stop_accepted and server.status == "ACTIVE" and server.task_state is None:
            raise WaitFailed(
                f"the server is ACTIVE with no task after the stop was accepted: {server.state_line()}",
                hint="the stop did not take effect (it failed on the cloud, or someone started the "
                "server again): check `openstack server show`, then run --from-step 4",
            )
        if elapsed >= timeout:
            raise WaitFailed(
                f"not SHUTOFF after {timeout:g} s: {server.state_line()}",
                hint="the stop may still complete: check again with --from-step 5 (or a larger --poll-timeout)",
            )
        sleep(max(0.0, min(interval, timeout - elapsed)))
