"""tests/smtp/sink.py — a real SMTP server for the mail tests (aiosmtpd, from
Debian's python3-aiosmtpd). Started by scripts/with-smtp; run it with
/usr/bin/python3, which has the Debian module.

  sink.py --dir DIR --port-file FILE [--user U --password P]

Listens on 127.0.0.1, on a free port that it writes to FILE once it accepts
connections. Each message it accepts becomes, in DIR:

  N.eml   the message exactly as received (after SMTP un-dot-stuffing)
  N.json  {"mail_from", "rcpt_tos", "auth_user", "subject", "body",
           "headers": [[name, raw value], ...]} where subject and body are
          decoded by Python's own email package (RFC 2047, quoted-printable),
          an implementation independent of the C one under test.

Both are written under a temporary name and renamed before the server
answers 250, so a client that got its 250 finds them complete.

Recipients whose local part starts with "refuse" get "550 5.1.1 no such
user". When --user is given, AUTH PLAIN and LOGIN (allowed without TLS, on
loopback only) accept exactly that pair and answer 535 to anything else;
mail without AUTH is still accepted, with auth_user null.
"""
import argparse
import asyncio
import email
import email.policy
import itertools
import json
import logging
import os
import signal

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Sink:
    def __init__(self, directory):
        self.dir = directory
        self.count = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].lower().startswith("refuse"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(self.count)
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        auth_user = None
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            auth_user = session.auth_data.login.decode("utf-8", "replace")
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "auth_user": auth_user,
            "subject": str(msg["subject"]) if msg["subject"] is not None else None,
            # universal newlines, as the C side writes its expected text
            "body": body.get_content().replace("\r\n", "\n") if body is not None else None,
            "headers": [[k, str(v)] for k, v in msg.items()],
        }
        self._write(f"{n}.eml", raw)
        self._write(f"{n}.json", json.dumps(record, ensure_ascii=False).encode("utf-8"))
        return "250 Message accepted"

    def _write(self, name, data):
        tmp = os.path.join(self.dir, "." + name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(self.dir, name))


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        # handled=False: aiosmtpd itself answers 535 to a failure
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return check


def main():
    # aiosmtpd 1.4 logs a warning about its own use of Session.login_data at
    # every AUTH; only errors are worth the test output.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--user")
    ap.add_argument("--password")
    args = ap.parse_args()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    handler = Sink(args.dir)
    kwargs = {"hostname": "sink.test", "loop": loop}
    if args.user:
        kwargs.update(
            authenticator=authenticator(args.user, args.password or ""),
            auth_require_tls=False,
        )
    server = loop.run_until_complete(
        loop.create_server(lambda: SMTP(handler, **kwargs), "127.0.0.1", 0)
    )
    port = server.sockets[0].getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.rename(tmp, args.port_file)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()


if __name__ == "__main__":
    main()
