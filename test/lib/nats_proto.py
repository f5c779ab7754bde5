"""nats_proto.py: a minimal NATS / JetStream client over the plain text
protocol, for the tests (no NATS library for Python is packaged here).

Written from the protocol documentation (INFO, CONNECT, PING/PONG, SUB,
PUB, MSG, HMSG) and the JetStream API subjects ($JS.API.STREAM.INFO,
$JS.API.STREAM.MSG.GET, $JS.API.STREAM.DELETE, $JS.API.STREAM.CREATE).
It reads a stream by sequence number with pipelined direct gets, which is
all the tests need: they compare what the stream holds with the table.
"""
import base64
import json
import socket


class NatsError(Exception):
    pass


class Nats:
    def __init__(self, host="127.0.0.1", port=4222, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        self.sid = 0
        line = self._line()
        if not line.startswith(b"INFO "):
            raise NatsError("expected INFO, got %r" % line[:80])
        self.info = json.loads(line[5:])
        self._send(b'CONNECT {"verbose":false,"pedantic":false,"headers":true,'
                   b'"no_responders":true,"protocol":1,"name":"gf-test"}\r\nPING\r\n')
        self._expect_pong()
        self.inbox = "_INBOX.gftest%d" % id(self)
        self.sub_sid = self.subscribe(self.inbox + ".*")

    # ---- wire ---------------------------------------------------------
    def _send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise NatsError("connection closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _bytes(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _expect_pong(self):
        while True:
            line = self._line()
            if line == b"PONG":
                return
            if line == b"PING":
                self._send(b"PONG\r\n")
            elif line.startswith(b"-ERR"):
                raise NatsError(line.decode())

    def subscribe(self, subject):
        self.sid += 1
        self._send(("SUB %s %d\r\n" % (subject, self.sid)).encode())
        return self.sid

    def publish(self, subject, payload, reply=None):
        if isinstance(payload, str):
            payload = payload.encode()
        head = "PUB %s %s%d\r\n" % (subject, (reply + " ") if reply else "", len(payload))
        self._send(head.encode() + payload + b"\r\n")

    def next_msg(self):
        """(subject, reply, headers dict, status, payload) of the next message."""
        while True:
            line = self._line()
            if line == b"PING":
                self._send(b"PONG\r\n")
                continue
            if line in (b"PONG", b"+OK"):
                continue
            if line.startswith(b"-ERR"):
                raise NatsError(line.decode())
            parts = line.decode().split(" ")
            if parts[0] == "MSG":
                subj, reply = parts[1], (parts[3] if len(parts) == 5 else None)
                data = self._bytes(int(parts[-1]))
                return subj, reply, {}, None, data
            if parts[0] == "HMSG":
                subj = parts[1]
                reply = parts[3] if len(parts) == 6 else None
                hlen, total = int(parts[-2]), int(parts[-1])
                raw = self._bytes(total)
                hdrs, status = parse_headers(raw[:hlen])
                return subj, reply, hdrs, status, raw[hlen:]
            raise NatsError("unexpected %r" % line[:80])

    # ---- requests -----------------------------------------------------
    def request(self, subject, payload=b""):
        reply = self.inbox + ".r"
        self.publish(subject, payload, reply)
        _, _, hdrs, status, data = self.next_msg()
        if status and status.startswith("503"):
            raise NatsError("no responders for %s" % subject)
        return data

    def js(self, api, body=None):
        data = self.request("$JS.API." + api, json.dumps(body) if body is not None else b"")
        resp = json.loads(data)
        if "error" in resp:
            raise NatsError("%s: %s" % (api, resp["error"]))
        return resp

    def stream_info(self, stream):
        return self.js("STREAM.INFO." + stream)

    def stream_delete(self, stream):
        return self.js("STREAM.DELETE." + stream)

    def stream_create(self, stream, subjects):
        return self.js("STREAM.CREATE." + stream,
                       {"name": stream, "subjects": subjects, "storage": "file",
                        "retention": "limits", "discard": "old", "num_replicas": 1})

    def stream_messages(self, stream, window=512):
        """Every message of the stream as (seq, subject, headers, payload)."""
        info = self.stream_info(stream)
        first, last = info["state"]["first_seq"], info["state"]["last_seq"]
        if info["state"]["messages"] == 0:
            return
        seq = first
        while seq <= last:
            batch = list(range(seq, min(last, seq + window - 1) + 1))
            for s in batch:
                self.publish("$JS.API.STREAM.MSG.GET." + stream,
                             json.dumps({"seq": s}), "%s.g%d" % (self.inbox, s))
            got = {}
            while len(got) < len(batch):
                subj, _, _, _, data = self.next_msg()
                got[int(subj.rsplit(".g", 1)[1])] = json.loads(data)
            for s in batch:
                resp = got[s]
                if "error" in resp:
                    continue        # deleted or purged
                m = resp["message"]
                hdrs = {}
                if m.get("hdrs"):
                    hdrs, _ = parse_headers(base64.b64decode(m["hdrs"]))
                yield (m["seq"], m["subject"], hdrs,
                       base64.b64decode(m.get("data", "")))
            seq = batch[-1] + 1

    def close(self):
        self.sock.close()


def parse_headers(raw):
    text = raw.decode("utf-8", "replace").split("\r\n")
    status = None
    first = text[0]
    if first.startswith("NATS/1.0") and len(first) > 8:
        status = first[9:].strip()
    hdrs = {}
    for line in text[1:]:
        if not line:
            continue
        k, _, v = line.partition(":")
        hdrs[k.strip()] = v.strip()
    return hdrs, status
