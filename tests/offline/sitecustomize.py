"""Block every network connection except loopback, in every Python process started while
``COURSE_BLOCK_NETWORK=1`` with this folder on ``PYTHONPATH`` (the test run sets both, so the
notebooks' kernels run offline): the course must never download anything at run time."""

import ipaddress
import os
import socket

if os.environ.get("COURSE_BLOCK_NETWORK") == "1":
    _connect, _connect_ex, _getaddrinfo = (
        socket.socket.connect,
        socket.socket.connect_ex,
        socket.getaddrinfo,
    )

    def _is_local(address):
        if not isinstance(address, tuple):  # AF_UNIX paths and the like
            return True
        host = address[0]
        if host in ("localhost", "", None):
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False

    def _blocked(address):
        return OSError(
            f"network access to {address!r} blocked: the course runs offline (loopback only)"
        )

    def connect(self, address):
        if not _is_local(address):
            raise _blocked(address)
        return _connect(self, address)

    def connect_ex(self, address):
        if not _is_local(address):
            raise _blocked(address)
        return _connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in (None, "localhost") and not _is_local((host, 0)):
            raise socket.gaierror(
                f"name lookup of {host!r} blocked: the course runs offline (loopback only)"
            )
        return _getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = (
        connect,
        connect_ex,
        getaddrinfo,
    )
