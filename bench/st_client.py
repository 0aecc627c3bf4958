"""A raw Streamlit websocket client for load tests: costs the server's cores almost nothing.

A browser renders every element; this client speaks Streamlit's own protocol (protobuf over the
``/_stcore/stream`` websocket) and only decodes enough to know when a script run has finished
and which widgets it drew. One :class:`Session` is one learner's tab: it opens a page (a
``rerun_script`` with the page name and query string), then moves a slider (a ``rerun_script``
carrying that widget's new value; the server keeps the other widgets' values).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates


@dataclass
class Run:
    """One script run as the client saw it."""

    seconds: float
    status: str
    exceptions: int
    widgets: dict = field(default_factory=dict)  # widget id -> (kind, proto)


class Session:
    """One Streamlit session over a websocket (``async with Session(url) as s: await s.open(page)``)."""

    def __init__(self, url: str, cookie: str | None = None, timeout: float = 300.0) -> None:
        self.ws_url = url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.cookie = cookie
        self.timeout = timeout
        self.page = ""
        self.widgets: dict = {}

    async def __aenter__(self) -> "Session":
        headers = {"Cookie": self.cookie} if self.cookie else None
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                           additional_headers=headers, open_timeout=self.timeout)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def _rerun(self, query: str = "", widgets: WidgetStates | None = None) -> Run:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = self.page
        msg.rerun_script.widget_states.CopyFrom(widgets or WidgetStates())
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        exceptions, widgets_seen = 0, {}
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), self.timeout)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                name = element.WhichOneof("type")
                proto = getattr(element, name) if name else None
                if name == "exception":
                    exceptions += 1
                elif proto is not None and getattr(proto, "id", ""):
                    widgets_seen[proto.id] = (name, proto)
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(fwd.script_finished)
                if status == "FINISHED_FRAGMENT_RUN_SUCCESSFULLY":
                    continue
                self.widgets.update(widgets_seen)
                return Run(time.perf_counter() - start, status, exceptions, widgets_seen)

    async def open(self, page: str, query: str = "") -> Run:
        """Open ``page`` (its url path, e.g. ``"retrieval_ann"``) with a link's query string."""
        self.page = page
        return await self._rerun(query)

    def slider(self, key: str):
        """The id and proto of the slider drawn with user key ``key`` (``None`` if absent)."""
        for wid, (kind, proto) in self.widgets.items():
            if kind == "slider" and wid.endswith(f"-{key}"):
                return wid, proto
        return None

    async def move_slider(self, key: str, value: float) -> Run:
        """Move the slider ``key`` to ``value`` (what dragging it in the browser sends)."""
        found = self.slider(key)
        if found is None:
            raise KeyError(f"no slider {key!r} on {self.page}")
        states = WidgetStates()
        state = WidgetState(id=found[0])
        state.double_array_value.data.append(float(value))
        states.widgets.append(state)
        return await self._rerun(widgets=states)
