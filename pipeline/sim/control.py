"""A client for the simulator's own /_sim/ control routes (stats, reset, config, mutate)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any


class SimControl:
    """Steers a simulator running in another process; the GitLab API itself is not spoken here."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self._token = token
        # Loopback only: never route the control calls through a proxy from the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(self, route: str, body: dict[str, Any] | None = None) -> Any:
        """GET (no body) or POST (a JSON body) one of the /_sim/ routes."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 (our own http://127.0.0.1 simulator)
            f"{self.url}/_sim/{route}",
            data=data,
            headers={"PRIVATE-TOKEN": self._token, "Content-Type": "application/json"},
            method="GET" if body is None else "POST",
        )
        with self._opener.open(request, timeout=300) as response:
            return json.loads(response.read())

    def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = self.call("stats")
        return result

    def reset(self) -> None:
        self.call("reset", {})

    def configure(self, **knobs: Any) -> Any:
        return self.call("config", knobs)

    def mutate(self, op: str, **args: Any) -> Any:
        return self.call("mutate", {"op": op, **args})
