"""Our worker process with EXPERIMENTS applied: `escalations worker` plus patches from bench.

Nothing here changes our code on disk; each experiment patches the running process only, and
the report labels every figure measured with one. Experiments (comma-separated):

  cache=N        Worker(max_cached_workflows=N)          (SDK default 1000)
  wft=N          Worker(max_concurrent_workflow_tasks=N)  (SDK default 100)
  acts=N         Worker(max_concurrent_activities=N) and a thread pool as wide
  pollers=N      Worker(max_concurrent_workflow_task_polls=N)
  local-store    the store activities (record, count prior, close related) as local activities
                 with the same timeouts and retry policy: measured, then dropped from the product
                 (docs/benchmarks.md); kept here so the figure stays measurable
  notify-after-record  ablation: a transition's deliveries start once its store write is done
                 (the "notify-beside-record" patch off: the workflow before that patch)
  count-in-workflow  ablation: intake looks the customer's prior escalations up itself (an
                 activity), as before the API counted them (the request's `routing_final` and
                 count dropped; the API still counts, which costs it one query, and a repeat
                 customer is raised twice: a cost measure only)
  all-search-attributes  ablation: upsert all seven search attributes on every change (the
                 "upsert-changed-search-attributes" patch off)
  sandbox-domain-only    ablation: only `domain` passes through the sandbox, `workflows` is
                 re-imported per workflow run (worker/runner.py's PASSTHROUGH before the change)
  stock-sandbox  the SDK's own sandbox runner, as worker/runner.py falls back to it (an
                 untested temporalio, or ESCALATIONS_WORKER_FAST_RUNNER=false): it enters the
                 sandbox (an `exec`) to look up each payload's serialization context, and the
                 run keeps two views into its first activation (what --runner stock|both runs)
  activation-views  ablation: the fast runner, but the run input's headers and the instance
                 details' completion result stay views into the first activation, which they
                 keep alive for the run's life (worker/fast_runner.py's detached copies off)
  unsandboxed    no sandbox at all (a ceiling: what the sandbox costs, not a proposal)
  policy-copy    ablation: Policy deep-copied with the state on every transition (pydantic's
                 own __deepcopy__ instead of domain.policy's, which shares the frozen value)
  policy-per-workflow    ablation: every decoded policy its own object (domain.policy's
                 sharing of equal policies off)
  no-summaries   ablation: no summaries on activities and timers (each summary is a payload
                 the SDK visits several times per workflow task, through the sandbox)
  no-upserts     ceiling: the workflow upserts no search attributes (what the Temporal UI's
                 filters cost the server's visibility store)
  no-markers     ceiling: `workflow.patched` answers True without recording a marker (what
                 the three patch markers per new escalation cost)
  store-noop     record_escalation does nothing (a ceiling for the store's share)
  notify-noop    deliver_notification sends and stores nothing (a ceiling)
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
from typing import Any

from temporalio import activity

# At module level: the activity decorator resolves these annotations in the module's globals.
from activities.notify import NotifyActivities
from activities.store import StoreActivities
from domain.messages import DeliveryInput, DeliveryResult, RecordInput

EXPERIMENTS = ("cache", "wft", "acts", "pollers", "local-store", "all-search-attributes",
               "notify-after-record", "count-in-workflow",
               "sandbox-domain-only", "stock-sandbox", "activation-views", "unsandboxed",
               "policy-copy",
               "policy-per-workflow",
               "store-noop", "notify-noop", "no-summaries", "no-upserts",
               "no-markers")


def parse(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        if name not in EXPERIMENTS:
            raise SystemExit(f"unknown worker experiment {name!r}; known: {EXPERIMENTS}")
        found[name] = value
    return found


def patch(owner: object, name: str, value: object) -> None:
    """Replace one attribute of a module or class in this process only."""
    setattr(owner, name, value)


def apply(experiments: dict[str, str]) -> None:
    import temporalio.worker

    import worker.build as build

    kwargs: dict[str, Any] = {}
    if "cache" in experiments:
        kwargs["max_cached_workflows"] = int(experiments["cache"])
    if "wft" in experiments:
        kwargs["max_concurrent_workflow_tasks"] = int(experiments["wft"])
    if "pollers" in experiments:
        kwargs["max_concurrent_workflow_task_polls"] = int(experiments["pollers"])
    if "acts" in experiments:
        build.ACTIVITY_SLOTS = int(experiments["acts"])
    original = temporalio.worker.Worker

    class PatchedWorker(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **given: Any) -> None:
            super().__init__(*args, **{**given, **kwargs})

    patch(build, "Worker", PatchedWorker)
    for name in experiments:
        if name in PATCHES:
            PATCHES[name]()


def _unpatch(patch_id: str) -> None:
    """Take the old branch of one `workflow.patched(...)` in new workflows (an ablation; new
    escalations only, whose histories then simply carry no marker for it)."""
    # temporalio passes through the sandbox: the workflow sees this module attribute.
    import temporalio.workflow as wf

    patched = wf.patched

    def without(id: str) -> bool:
        return False if id == patch_id else patched(id)

    patch(wf, "patched", without)


def _local_store() -> None:
    # temporalio passes through the sandbox: the workflow sees this module attribute.
    import temporalio.workflow as wf

    remote = wf.execute_activity
    store = frozenset({"record_escalation", "count_prior_escalations", "close_related_records"})

    def execute_activity(activity: Any, *args: Any, **kwargs: Any) -> Any:
        if activity in store:
            return wf.execute_local_activity(activity, *args, **kwargs)
        return remote(activity, *args, **kwargs)

    patch(wf, "execute_activity", execute_activity)


def _no_summaries() -> None:
    # temporalio passes through the sandbox: the workflow sees these module attributes.
    import temporalio.workflow as wf

    execute_activity, wait_condition = wf.execute_activity, wf.wait_condition

    def quiet_activity(activity: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("summary", None)
        return execute_activity(activity, *args, **kwargs)

    async def quiet_wait(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop("timeout_summary", None)
        return await wait_condition(*args, **kwargs)

    patch(wf, "execute_activity", quiet_activity)
    patch(wf, "wait_condition", quiet_wait)


def _no_upserts() -> None:
    # temporalio passes through the sandbox: the workflow sees this module attribute.
    import temporalio.workflow as wf

    def upsert_nothing(*args: Any, **kwargs: Any) -> None:
        del args, kwargs

    patch(wf, "upsert_search_attributes", upsert_nothing)


def _no_markers() -> None:
    import temporalio.workflow as wf

    def always(id: str) -> bool:
        del id
        return True

    patch(wf, "patched", always)


def _all_search_attributes() -> None:
    from workflows.patches import UPSERT_CHANGED_SEARCH_ATTRIBUTES

    _unpatch(UPSERT_CHANGED_SEARCH_ATTRIBUTES)


def _notify_after_record() -> None:
    from workflows.patches import NOTIFY_BESIDE_RECORD

    _unpatch(NOTIFY_BESIDE_RECORD)


def _count_in_workflow() -> None:
    from domain.state import EscalationRequest
    from workflows.escalation import EscalationWorkflow

    intake = EscalationWorkflow._intake

    async def looking_up(self: EscalationWorkflow, request: EscalationRequest) -> None:
        as_before = request.model_copy(update={"routing_final": False,
                                               "prior_escalations": None})
        await intake(self, as_before)

    patch(EscalationWorkflow, "_intake", looking_up)


def _sandbox_domain_only() -> None:
    from temporalio.worker.workflow_sandbox import SandboxRestrictions

    import worker.runner as runner

    patch(runner, "choose_runner", functools.partial(
        runner.choose_runner,
        restrictions=SandboxRestrictions.default.with_passthrough_modules("domain")))


def _stock_sandbox() -> None:
    import worker.runner as runner
    from config.settings import Settings
    from worker.runner import RunnerChoice

    choose = runner.choose_runner

    def stock(settings: Settings) -> RunnerChoice:
        return choose(settings.model_copy(update={"escalations_worker_fast_runner": False}))

    patch(runner, "choose_runner", stock)


def _activation_views() -> None:
    from temporalio.worker import Interceptor

    import worker.fast_runner as fast_runner

    def unchanged(payloads: Any) -> Any:
        return payloads

    patch(fast_runner, "DetachedRunInput", Interceptor)  # the base class intercepts nothing
    patch(fast_runner, "detached_payloads", unchanged)


def _unsandboxed() -> None:
    from temporalio.worker import UnsandboxedWorkflowRunner

    import worker.runner as runner
    from config.settings import Settings
    from worker.runner import RunnerChoice

    choose = runner.choose_runner

    def unsandboxed(settings: Settings) -> RunnerChoice:
        return dataclasses.replace(choose(settings), runner=UnsandboxedWorkflowRunner())

    patch(runner, "choose_runner", unsandboxed)


def _policy_copy() -> None:
    # domain passes through the sandbox: the class patched here is the one workflows use.
    from pydantic import BaseModel

    from domain.policy import PolicyModel

    patch(PolicyModel, "__deepcopy__", BaseModel.__deepcopy__)


def _policy_per_workflow() -> None:
    import domain.policy

    class Forgetful(dict[str, Any]):
        def __setitem__(self, key: str, value: Any) -> None:
            del key, value  # nothing is kept: every decode validates and builds anew

    patch(domain.policy, "_SHARED", Forgetful())


def _store_noop() -> None:
    @activity.defn(name="record_escalation")
    def record_escalation(self: StoreActivities, input: RecordInput) -> None:
        del self, input

    patch(StoreActivities, "record_escalation", record_escalation)


def _notify_noop() -> None:
    @activity.defn(name="deliver_notification")
    async def deliver_notification(self: NotifyActivities, input: DeliveryInput
                                   ) -> DeliveryResult:
        del self
        return DeliveryResult(notification_id=input.notification.id, status="delivered")

    patch(NotifyActivities, "deliver_notification", deliver_notification)


PATCHES = {
    "local-store": _local_store, "all-search-attributes": _all_search_attributes,
    "notify-after-record": _notify_after_record, "count-in-workflow": _count_in_workflow,
    "sandbox-domain-only": _sandbox_domain_only, "stock-sandbox": _stock_sandbox,
    "activation-views": _activation_views, "unsandboxed": _unsandboxed,
    "policy-copy": _policy_copy, "policy-per-workflow": _policy_per_workflow,
    "store-noop": _store_noop, "notify-noop": _notify_noop, "no-summaries": _no_summaries,
    "no-upserts": _no_upserts, "no-markers": _no_markers,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--experiment", default="")
    args = parser.parse_args()
    apply(parse(args.experiment))
    from config.settings import Settings
    from worker.main import main as worker_main

    worker_main(Settings())


if __name__ == "__main__":
    main()
