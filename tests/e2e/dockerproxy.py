"""A recording proxy in front of the Docker Engine's unix socket.

orca is pointed at it with DOCKER_HOST=unix://PATH; every request it sends
(method, path, body) is appended to a list, then forwarded to the real
engine, and the engine's bytes flow back untouched (streams included).
Tests read the list to check the exact request orca sent.

It can also pretend to be another Docker version: with
`pretend={"ApiVersion": "1.52", "MinAPIVersion": "1.44", "Version": "29.0.4"}`
it answers /version itself with those values, refuses versioned paths
outside [MinAPIVersion, ApiVersion] the way Docker does (400), and rewrites
the version prefix of the others to the real engine's before forwarding.
The recorded path is the one orca sent.

cut() makes the engine vanish for orca (the socket stops accepting and every
live connection is closed); serve() brings it back on the same path.
"""
import json
import os
import re
import socket
import threading

ENGINE = "/var/run/docker.sock"
VERSIONED = re.compile(r"^/v(\d+)\.(\d+)(/.*)$")


def engine_version(engine=ENGINE):
    """The real engine's /version document."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(engine)
    s.sendall(b"GET /version HTTP/1.0\r\nHost: docker\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return json.loads(data.split(b"\r\n\r\n", 1)[1])


def _num(v):
    major, minor = v.split(".")
    return int(major) * 1000 + int(minor)


class DockerProxy:
    def __init__(self, path, engine=ENGINE, pretend=None, listen=True):
        self.path = path
        self.engine = engine
        self.pretend = dict(pretend) if pretend else None
        self.requests = []
        self.lock = threading.Lock()
        self.conns = set()
        self.sock = None
        self.stopped = True
        if self.pretend:
            self.real_api = engine_version(engine)["ApiVersion"]
        if listen:
            self.serve()

    def url(self):
        return "unix://" + self.path

    def serve(self):
        """Starts (or resumes) accepting on self.path."""
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(64)
        self.stopped = False
        threading.Thread(target=self._accept, args=(self.sock,), daemon=True).start()

    def cut(self):
        """Stops accepting (the socket file stays: connect is refused) and
        closes every live connection, as if the engine had died."""
        self.stopped = True
        if self.sock:
            try:
                # wakes the accept() of the serving thread, which would
                # otherwise keep the listening socket alive after close()
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()
        with self.lock:
            conns = list(self.conns)
            self.conns.clear()
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.cut()

    def find(self, method, path_part):
        with self.lock:
            return [r for r in self.requests if r["method"] == method and path_part in r["path"]]

    def paths(self):
        with self.lock:
            return [r["path"] for r in self.requests]

    def _accept(self, lsock):
        while not self.stopped:
            try:
                client, _ = lsock.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                upstream.connect(self.engine)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.conns.update((client, upstream))
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        self._hangup(src, dst)

    def _hangup(self, *socks):
        for s in socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        with self.lock:
            self.conns.difference_update(socks)

    @staticmethod
    def _reply(client, status, doc):
        body = json.dumps(doc).encode()
        reason = {200: "OK", 400: "Bad Request"}[status]
        client.sendall(("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                        "Content-Length: %d\r\n\r\n" % (status, reason, len(body))).encode() + body)

    def _pretend(self, client, method, path):
        """Answers or rewrites a request as the pretended engine would.
        Returns the path to forward, or None when it answered itself."""
        m = VERSIONED.match(path)
        rest = m.group(3) if m else path
        if m:
            asked = "%s.%s" % (m.group(1), m.group(2))
            if _num(asked) < _num(self.pretend["MinAPIVersion"]):
                self._reply(client, 400, {"message": "client version %s is too old. Minimum "
                                          "supported API version is %s, please upgrade your "
                                          "client to a newer version" %
                                          (asked, self.pretend["MinAPIVersion"])})
                return None
            if _num(asked) > _num(self.pretend["ApiVersion"]):
                self._reply(client, 400, {"message": "client version %s is too new. Maximum "
                                          "supported API version is %s" %
                                          (asked, self.pretend["ApiVersion"])})
                return None
        if method == "GET" and rest.split("?")[0] == "/version":
            doc = engine_version(self.engine)
            doc.update(self.pretend)
            self._reply(client, 200, doc)
            return None
        return "/v%s%s" % (self.real_api, rest) if m else path

    def _requests(self, client, upstream):
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = client.recv(65536)
                    if not data:
                        raise EOFError
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                method, path, proto = lines[0].split(" ", 2)
                length = 0
                for l in lines[1:]:
                    k, _, v = l.partition(":")
                    if k.strip().lower() == "content-length":
                        length = int(v.strip())
                while len(buf) < length:
                    data = client.recv(65536)
                    if not data:
                        raise EOFError
                    buf += data
                body, buf = buf[:length], buf[length:]
                rec = {"method": method, "path": path, "body": None}
                if body:
                    try:
                        rec["body"] = json.loads(body)
                    except ValueError:
                        rec["body"] = body.decode("latin-1")
                with self.lock:
                    self.requests.append(rec)
                if self.pretend:
                    path = self._pretend(client, method, path)
                    if path is None:
                        continue
                    lines[0] = "%s %s %s" % (method, path, proto)
                    head = "\r\n".join(lines).encode("latin-1")
                upstream.sendall(head + b"\r\n\r\n" + body)
        except (EOFError, OSError, ValueError):
            pass
        self._hangup(client, upstream)
