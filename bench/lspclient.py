"""A minimal LSP client over stdio (JSON-RPC with Content-Length framing), for bench/lsp.py and
bench/lsp_compare.py. Standard library only."""

import json
import os
import subprocess
import threading
import time
import queue
import urllib.parse


def uri(path):
    return "file://" + urllib.parse.quote(os.path.abspath(path))


class Client:
    def __init__(self, argv, cwd):
        self.proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # LSP_STDERR=FILE keeps the server's log.
            stderr=open(os.environ["LSP_STDERR"], "w") if os.environ.get("LSP_STDERR") else subprocess.DEVNULL,
        )
        self.next_id = 1
        self.responses = {}
        self.notifications = queue.Queue()
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    return
                line = line.decode().strip()
                if not line:
                    break
                k, v = line.split(":", 1)
                headers[k.lower()] = v.strip()
            body = out.read(int(headers["content-length"]))
            msg = json.loads(body)
            if "id" in msg and "method" in msg:
                # A request from the server (e.g. workspace/configuration): answer null.
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            elif "id" in msg:
                with self.cond:
                    self.responses[msg["id"]] = msg
                    self.cond.notify_all()
            else:
                msg["_at"] = time.monotonic()
                self.notifications.put(msg)

    def _send(self, msg):
        data = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def request(self, method, params, timeout=120):
        i = self.next_id
        self.next_id += 1
        self._send({"jsonrpc": "2.0", "id": i, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        with self.cond:
            while i not in self.responses:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(method)
                self.cond.wait(left)
            return self.responses.pop(i)

    def notify(self, method, params):
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def initialize(self, root):
        r = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "root"}],
                "capabilities": {
                    "textDocument": {
                        "publishDiagnostics": {"versionSupport": True},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
                        "rename": {"prepareSupport": True},
                    }
                },
            },
        )
        self.notify("initialized", {})
        return r

    def open(self, path, text=None, version=1):
        if text is None:
            with open(path) as f:
                text = f.read()
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri(path), "languageId": "proto", "version": version, "text": text}},
        )

    def change(self, path, text, version):
        self.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri(path), "version": version}, "contentChanges": [{"text": text}]},
        )

    def diagnostics(self, path, timeout=120, version=None):
        """Waits for publishDiagnostics for `path` (with `version`, if given); returns (params, time)."""
        want = uri(path)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("diagnostics for " + path)
            msg = self.notifications.get(timeout=left)
            if msg.get("method") != "textDocument/publishDiagnostics":
                continue
            p = msg["params"]
            if p["uri"] != want:
                continue
            if version is not None and p.get("version") not in (None, version):
                continue
            return p, msg["_at"]

    def shutdown(self):
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
