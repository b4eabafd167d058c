"""An update whose workflow task failed before accepting it is a 503 to retry, not a 500."""

from __future__ import annotations

from google.protobuf.any_pb2 import Any as AnyProto
from temporalio.api.common.v1 import GrpcStatus
from temporalio.api.errordetails.v1 import WorkflowNotReadyFailure
from temporalio.service import RPCError, RPCStatusCode

from api.services.temporal import workflow_not_ready


def failed_precondition(*details: object) -> RPCError:
    packed = []
    for detail in details:
        any_detail = AnyProto()
        any_detail.Pack(detail)  # type: ignore[arg-type]
        packed.append(any_detail)
    status = GrpcStatus(code=9, message="not ready", details=packed)
    return RPCError("not ready", RPCStatusCode.FAILED_PRECONDITION, status.SerializeToString())


def test_a_workflow_not_ready_failure_is_recognised() -> None:
    assert workflow_not_ready(failed_precondition(WorkflowNotReadyFailure()))


def test_another_failed_precondition_is_not() -> None:
    assert not workflow_not_ready(failed_precondition())
