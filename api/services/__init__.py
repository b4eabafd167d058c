"""The service layer the JSON routes and the console share: opening escalations, taking
actions, reads. It raises the typed errors of domain/errors.py and builds no HTTP answer."""
