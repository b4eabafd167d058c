"""Our worker process with EXPERIMENTS applied: `escalations worker` plus patches from bench.

Nothing here changes our code on disk; each experiment patches the running process only, and
the report labels every figure measured with one. Experiments (comma-separated):

  cache=N        Worker(max_cached_workflows=N)          (SDK default 1000)
  wft=N          Worker(max_concurrent_workflow_tasks=N)  (SDK default 100)
  acts=N         Worker(max_concurrent_activities=N) and a thread pool as wide
  pollers=N      Worker(max_concurrent_workflow_task_polls=N)
  local-record   record_escalation as a local activity (no activity task, no server events)
  local-store    every store activity local (record, count_prior_escalations, close_related)
  sa-diff        upsert only the search attributes whose value changed; none: no upsert
  passthrough    workflows.effects and workflows.search_attributes pass through the sandbox
  passthrough-workflows  the whole workflows package passes through (one copy of the
                 workflow module for all instances; the SDK advises against it)
  unsandboxed    no sandbox at all (a ceiling: what the sandbox costs, not a proposal)
  policy-share   Policy.__deepcopy__ returns self (it is frozen): Tx's deep copy of the state
                 per transition no longer copies the policy snapshot
  store-core     the store's upserts as Core statements built once (bench.store_core)
  store-noop     record_escalation does nothing (a ceiling for the store's share)
  notify-noop    deliver_notification sends and stores nothing (a ceiling)
"""

from __future__ import annotations

import argparse
from typing import Any

from temporalio import activity

# At module level: the activity decorator resolves these annotations in the module's globals.
from activities.notify import NotifyActivities
from activities.store import StoreActivities
from domain.messages import DeliveryInput, DeliveryResult, RecordInput

EXPERIMENTS = ("cache", "wft", "acts", "pollers", "local-record", "local-store", "sa-diff",
               "passthrough", "passthrough-workflows", "unsandboxed", "policy-share",
               "store-core", "store-noop", "notify-noop")


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


def _local(names: frozenset[str]) -> None:
    # temporalio passes through the sandbox: the workflow sees this module attribute.
    import temporalio.workflow as wf

    remote = wf.execute_activity

    def execute_activity(activity: Any, *args: Any, **kwargs: Any) -> Any:
        if activity in names:
            return wf.execute_local_activity(activity, *args, **kwargs)
        return remote(activity, *args, **kwargs)

    patch(wf, "execute_activity", execute_activity)


def _local_record() -> None:
    _local(frozenset({"record_escalation"}))


def _local_store() -> None:
    _local(frozenset({"record_escalation", "count_prior_escalations", "close_related_records"}))


def _sa_diff() -> None:
    import temporalio.workflow as wf

    upsert = wf.upsert_search_attributes

    def only_changed(attributes: Any, **kwargs: Any) -> None:
        current = wf.info().typed_search_attributes
        changed = [u for u in attributes if current.get(u.key) != u.value]
        if changed:
            upsert(changed, **kwargs)

    patch(wf, "upsert_search_attributes", only_changed)


def _passthrough() -> None:
    from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

    import worker.build as build

    patch(build, "SANDBOX_RUNNER", SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules(
            "domain", "workflows.effects", "workflows.search_attributes")))


def _passthrough_workflows() -> None:
    from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

    import worker.build as build

    patch(build, "SANDBOX_RUNNER", SandboxedWorkflowRunner(
        restrictions=SandboxRestrictions.default.with_passthrough_modules("domain", "workflows")))


def _unsandboxed() -> None:
    from temporalio.worker import UnsandboxedWorkflowRunner

    import worker.build as build

    patch(build, "SANDBOX_RUNNER", UnsandboxedWorkflowRunner())


def _policy_share() -> None:
    # domain passes through the sandbox: the class patched here is the one workflows use.
    from domain.policy import Policy

    def share(self: Policy, memo: dict[int, Any]) -> Policy:
        del memo
        return self

    patch(Policy, "__deepcopy__", share)


def _store_core() -> None:
    import activities.store as store
    from bench import store_core

    patch(store, "upsert_escalation", store_core.upsert_escalation)
    patch(store, "append_timeline", store_core.append_timeline)


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
    "local-record": _local_record, "local-store": _local_store, "sa-diff": _sa_diff,
    "passthrough": _passthrough, "passthrough-workflows": _passthrough_workflows,
    "policy-share": _policy_share,
    "unsandboxed": _unsandboxed, "store-core": _store_core, "store-noop": _store_noop,
    "notify-noop": _notify_noop,
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
