"""The stage that lets a request on a shared store go on from its session's copy while the copy's
refresh travels with its first read, and makes it again when the copy was not current
(store/speculation.py says when that is).

Just before authentication (which reads the copy's API keys and users), so a request made again
is authenticated, validated and answered again from the start; its body was read and parsed by the
stage before (bodies.py), and nothing of the first try was sent: its answer's first message, an
error it raised and every write it would make each wait for the refresh's verdict. The second try
awaits its refresh first, as every request did before, so a request is made at most twice.

Only on a shared store (app.py adds it then): the memory store's sessions are this process's own.
A middleware added at Connexion's BEFORE_SECURITY position runs inside this stage, so a request
made again passes through it again.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mock_server.store.speculation import SPECULATION, Speculation, StaleCopy


class SpeculationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        speculation = Speculation()
        token = SPECULATION.set(speculation)
        try:
            await self.app(scope, receive, _after_verdict(send, speculation))
            return
        except StaleCopy:
            pass
        except Exception:
            if await speculation.holds():
                raise  # a true answer of the request's: the error renderer's to answer
        finally:
            SPECULATION.reset(token)
        await self.app(scope, receive, send)  # once more, its session refreshed first


def _after_verdict(send: Send, speculation: Speculation) -> Send:
    async def send_when_held(message: Message) -> None:
        if message["type"] == "http.response.start" and not await speculation.holds():
            raise StaleCopy
        await send(message)

    return send_when_held
