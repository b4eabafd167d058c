"""HTTP concerns: problem answers, error mapping, body limits, metrics, request logs, OpenAPI
and what answers must mask. Nothing here knows escalations beyond their shape."""
