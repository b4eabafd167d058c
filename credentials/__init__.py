"""Credentials every process handles: the API keys file and the cipher that seals recipient URLs.

Below `config`, `api`, `cli` and the worker's activities, so each of them may import it; it
imports only `domain`.
"""
