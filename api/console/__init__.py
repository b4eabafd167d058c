"""The console: server-rendered pages for the people who run escalations, on the same service
layer as the JSON API (api/services), under /console/."""
