"""A recording proxy in front of the Docker Engine's unix socket.

orca is pointed at it with DOCKER_HOST=unix://PATH; every request it sends
(method, path, body) is appended to a list, then forwarded unchanged to the
real engine, and the engine's bytes flow back untouched (streams included).
Tests read the list to check the exact request orca sent.
"""
import json
import os
import socket
import threading

ENGINE = "/var/run/docker.sock"


class DockerProxy:
    def __init__(self, path, engine=ENGINE):
        self.path = path
        self.engine = engine
        self.requests = []
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        if os.path.exists(path):
            os.unlink(path)
        self.sock.bind(path)
        self.sock.listen(64)
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self):
        return "unix://" + self.path

    def close(self):
        self.stopped = True
        self.sock.close()

    def find(self, method, path_part):
        with self.lock:
            return [r for r in self.requests if r["method"] == method and path_part in r["path"]]

    def _accept(self):
        while not self.stopped:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(self.engine)
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pump(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

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
                method, path = lines[0].split(" ")[:2]
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
                upstream.sendall(head + b"\r\n\r\n" + body)
        except (EOFError, OSError, ValueError):
            pass
        for s in (client, upstream):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
