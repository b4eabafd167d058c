"""Related records in their own systems: one module per kind (PagerDuty, Jira, ServiceNow, our
webhook), the HTTP client they share, and the activities the workflow calls."""
