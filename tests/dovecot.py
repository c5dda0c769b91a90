"""A private Dovecot IMAP server for tests and the benchmark (Debian's dovecot-imapd).

Its own config in a short directory under /tmp (Dovecot's unix sockets must fit in 108 bytes),
loopback ports chosen free, one passwd-file user, a Maildir in that directory, a self-signed
certificate for IMAPS and STARTTLS. Start, stop and restart it like a real server.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from imapclient import IMAPClient

USER = "migratie"
PASSWORD = "s3cret-imap"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _mail_owner() -> tuple[int, int]:
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        return nobody.pw_uid, nobody.pw_gid
    return os.getuid(), os.getgid()


class _Introspection(BaseHTTPRequestHandler):
    """OAuth2 token introspection (RFC 7662) for Dovecot's oauth2 passdb: one valid token."""

    token = ""
    user = ""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
        token = parse_qs(body).get("token", [""])[0]
        answer = {"active": True, "username": self.user} if token and token == self.token else {"active": False}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


class Dovecot:
    def __init__(
        self, *, user: str = USER, password: str = PASSWORD, oauth2_token: str | None = None, extra_config: str = ""
    ) -> None:
        """``oauth2_token``: also accept SASL XOAUTH2 with this one access token."""
        if not shutil.which("dovecot"):
            raise RuntimeError("dovecot is not installed (Debian package dovecot-imapd)")
        self.user, self.password = user, password
        self.root = Path(tempfile.mkdtemp(prefix="dc", dir="/tmp"))
        self.root.chmod(0o755)
        self.imap_port, self.imaps_port = free_port(), free_port()
        self.extra_config = extra_config
        self._introspection: ThreadingHTTPServer | None = None
        if oauth2_token:
            self.extra_config += self._oauth2(oauth2_token)
        self._write_config()

    def _oauth2(self, token: str) -> str:
        handler = type("Introspection", (_Introspection,), {"token": token, "user": self.user})
        self._introspection = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._introspection.serve_forever, daemon=True).start()
        port = self._introspection.server_address[1]
        conf = self.root / "oauth2.conf.ext"
        conf.write_text(
            f"introspection_mode = post\nintrospection_url = http://127.0.0.1:{port}/introspect\n"
            "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
        )
        return (
            "auth_mechanisms = plain login xoauth2 oauthbearer\n"
            f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {conf}\n}}\n"
        )

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> None:
        # Dovecot daemonizes; its output goes to a file, since a pipe would stay open with it.
        with open(self.root / "start.log", "ab") as out:
            subprocess.run(["dovecot", "-c", str(self.conf)], check=True, stdout=out, stderr=out)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.imap_port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not start; log: {self.log_text()[-2000:]}")

    def stop(self, timeout: float = 10.0) -> None:
        pid_file = self.root / "run" / "master.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text().strip())
        children = _descendants(pid)
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
        # A stopped server drops its clients: no IMAP process of this instance outlives it.
        for child in children:
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        # The listeners close with the master; wait until the port refuses.
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.imap_port), timeout=0.2).close()
                time.sleep(0.05)
            except OSError:
                break

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        if self._introspection is not None:
            self._introspection.shutdown()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- what tests need ----------------------------------------------------------------------

    def settings(self, security: str = "tls") -> dict[str, object]:
        """Settings overrides that point Intake at this server (certificate not verified)."""
        port = self.imaps_port if security == "tls" else self.imap_port
        return {
            "imap_host": "127.0.0.1", "imap_port": port, "imap_security": security, "imap_user": self.user,
            "imap_password": self.password, "imap_verify_tls": False,
        }

    def env(self, security: str = "tls") -> dict[str, str]:
        return {f"INTAKE_{k.upper()}": str(v) for k, v in self.settings(security).items()}

    def client(self) -> IMAPClient:
        client = IMAPClient("127.0.0.1", port=self.imap_port, ssl=False, timeout=30)
        client.login(self.user, self.password)
        return client

    def append(self, messages: list[bytes], folder: str = "INBOX") -> None:
        with self.client() as client:
            for raw in messages:
                client.append(folder, _crlf(raw))

    def uids(self, folder: str = "INBOX", criteria: object = "ALL") -> list[int]:
        with self.client() as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            return sorted(client.search(criteria))

    def log_text(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logins(self) -> int:
        return self.log_text().count("Login: user=<")

    @property
    def maildir(self) -> Path:
        return self.root / "home" / self.user / "Maildir"

    # -- configuration ------------------------------------------------------------------------

    def _write_config(self) -> None:
        uid, gid = _mail_owner()
        home = self.root / "home" / self.user
        home.mkdir(parents=True)
        for path in (self.root / "home", home):
            os.chown(path, uid, gid)
        (self.root / "run").mkdir()
        (self.root / "state").mkdir()
        cert, key = self.root / "cert.pem", self.root / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )
        (self.root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}:{uid}:{gid}::{home}\n")
        as_user = ""
        if os.geteuid() != 0:
            name = pwd.getpwuid(os.getuid()).pw_name
            as_user = (
                f"default_internal_user = {name}\ndefault_internal_group = {name}\ndefault_login_user = {name}\n"
                "service anvil {\n  chroot =\n}\n"
            )
        self.conf = self.root / "dovecot.conf"
        self.conf.write_text(
            f"""instance_name = dc-{self.root.name}
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:~/Maildir
mail_fsync = never
mail_max_userip_connections = 100
shutdown_clients = yes
login_trusted_networks =
passdb {{
  driver = passwd-file
  args = {self.root}/passwd
}}
userdb {{
  driver = passwd-file
  args = {self.root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    port = {self.imaps_port}
    ssl = yes
  }}
{"  chroot =" if as_user else ""}
}}
{as_user}{self.extra_config}
"""
        )


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        kids = [p for p, pp in parents.items() if pp == parent]
        found.extend(kids)
        todo.extend(kids)
    return found


def _crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
