"""One module per notification channel (api.md, "Outbound notifications")."""
