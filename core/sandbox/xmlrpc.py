"""XML-RPC endpoints: ``/xmlrpc/2/<service>`` and the legacy ``/xmlrpc/<service>``.

Responses match Odoo 18 byte for byte: a double-quoted XML declaration, the
stdlib marshaller's layout, a blank line before ``</methodResponse>``, and
``Content-Type: text/xml; charset=utf-8`` sent before ``Content-Length``.
"""

from __future__ import annotations

import logging
import xmlrpc.client
from typing import Callable

from starlette.requests import Request
from starlette.responses import Response

from core.sandbox.errors import exception_message, format_traceback, legacy_fault, xmlrpc_fault_code
from core.sandbox.pages import method_not_allowed, options_allowed
from core.sandbox.services import Backend, dispatch

log = logging.getLogger(__name__)

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
HEADER = '<?xml version="1.0"?>\n<methodResponse>\n'
FOOTER = "\n</methodResponse>\n"
INT4_MAX = 2**31 - 1


class OdooMarshaller(xmlrpc.client.Marshaller):
    """The stdlib marshaller, but integers outside int4 go out as doubles, like Odoo's."""

    dispatch = dict(xmlrpc.client.Marshaller.dispatch)

    def dump_long(self, value, write):
        if -INT4_MAX - 1 <= value <= INT4_MAX:
            write("<value><int>")
            write(str(int(value)))
            write("</int></value>\n")
        else:
            write("<value><double>")
            write(repr(float(value)))
            write("</double></value>\n")

    dispatch[int] = dump_long


def dumps_result(result: object) -> bytes:
    """Marshal a result; raises TypeError for None, as Odoo's allow_none=False does."""
    body = OdooMarshaller(allow_none=False).dumps((result,))
    return (HEADER + body + FOOTER).encode()


def dumps_fault(code: int | str, message: str) -> bytes:
    body = OdooMarshaller(allow_none=False).dumps(xmlrpc.client.Fault(code, message))
    return (HEADER + body + FOOTER).encode()


def xml_response(body: bytes) -> Response:
    return Response(body, status_code=200, headers={"content-type": XML_CONTENT_TYPE})


def fault_for(error: BaseException) -> bytes:
    """Return the /xmlrpc/2 fault for an exception: code 1 carries the traceback."""
    code = xmlrpc_fault_code(error)
    if code == 1:
        return dumps_fault(code, format_traceback(error))
    return dumps_fault(code, exception_message(error))


def legacy_fault_for(error: BaseException) -> bytes:
    code, message = legacy_fault(error)
    return dumps_fault(code, message)


def make_endpoint(backend: Backend, *, legacy: bool) -> Callable:
    """Return the Starlette endpoint for one of the two XML-RPC URL families."""
    to_fault = legacy_fault_for if legacy else fault_for

    async def endpoint(request: Request) -> Response:
        if request.method == "OPTIONS":
            return options_allowed()
        if request.method != "POST":
            return method_not_allowed()
        service = request.path_params["service"]
        data = await request.body()
        return xml_response(handle_call(backend, service, data, to_fault))

    return endpoint


def handle_call(backend: Backend, service: str, data: bytes, to_fault) -> bytes:
    """Parse, run and marshal one call; every failure becomes a fault."""
    try:
        params, method = xmlrpc.client.loads(data, use_datetime=True)
        result = dispatch(backend, service, method, list(params))
    except Exception as error:  # noqa: BLE001 - Odoo turns every exception into a fault
        log.debug("xmlrpc %s call failed: %s", service, type(error).__name__)
        return to_fault(error)
    try:
        return dumps_result(result)
    except (TypeError, OverflowError) as error:
        # The call has already changed the data and only the response fails,
        # as in Odoo, so a client must not retry it.
        return to_fault(error)
