#!/usr/bin/env bash
# Self-test for mailservers.py: starts it in a temp dir and checks, with
# Python's stdlib only, everything the Hovor integration tests rely on.
# Installs nothing (see README.md for the dependencies). Exits non-zero on
# any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "${PYTHON:-python3}" - "$here/mailservers.py" <<'PY'
import imaplib, json, os, queue, signal, smtplib, socket, ssl, subprocess
import sys, tempfile, threading, time

MS = sys.argv[1]
results = []


def check(name, fn):
    try:
        fn()
        results.append(True)
        print(f"PASS {name}", flush=True)
    except Exception as e:
        results.append(False)
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)


def until(pred, timeout=10, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def msg(subject, to="client@example.test"):
    return (f"From: support@acme.test\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject}@acme.test>\r\n\r\nHello {subject}\r\n")


tmp = tempfile.TemporaryDirectory(prefix="mailservers-selftest-")
d = tmp.name
proc = subprocess.Popen(
    [sys.executable, MS, "--dir", d,
     "--user", "support@acme.test:secret", "--user", "client@example.test:secret2"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
lines = queue.Queue()
threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout], daemon=True).start()


def next_line(timeout=30):
    return json.loads(lines.get(timeout=timeout))


def command(cmd):  # a stdin control command, answered by one JSON line
    proc.stdin.write(cmd + "\n")
    proc.stdin.flush()
    reply = next_line()
    assert "error" not in reply, reply
    return reply


info = next_line()
print("ready:", json.dumps(info), flush=True)
H = info["host"]
ctx = ssl.create_default_context(cafile=info["ca"])


def imaps():
    m = imaplib.IMAP4_SSL(H, info["imaps_port"], ssl_context=ctx)
    m.login("client@example.test", "secret2")
    return m


def inbox_has(subject):
    m = imaps()
    try:
        m.select("INBOX")
        typ, data = m.search(None, "HEADER", "Subject", subject)
        return typ == "OK" and bool(data[0].split())
    finally:
        m.logout()


def t_imaps_verified():
    for host in ("localhost", "127.0.0.1"):  # both SANs
        m = imaplib.IMAP4_SSL(host, info["imaps_port"], ssl_context=ctx)
        assert m.login("support@acme.test", "secret")[0] == "OK"
        m.logout()
    # and an unrelated CA must be rejected
    bad = ssl.create_default_context()
    try:
        imaplib.IMAP4_SSL(H, info["imaps_port"], ssl_context=bad)
    except ssl.SSLCertVerificationError:
        return
    raise AssertionError("certificate accepted without ca.pem")


def t_starttls():
    m = imaplib.IMAP4(H, info["imap_port"])
    assert "STARTTLS" in m.capabilities, m.capabilities
    m.starttls(ssl_context=ctx)
    assert m.login("client@example.test", "secret2")[0] == "OK"
    m.logout()


def t_plain_login():  # plaintext auth on the plain port, as tests need
    m = imaplib.IMAP4(H, info["imap_port"])
    assert m.login("client@example.test", "secret2")[0] == "OK"
    try:
        m2 = imaplib.IMAP4(H, info["imap_port"])
        m2.login("client@example.test", "wrong")
        raise AssertionError("bad password accepted")
    except imaplib.IMAP4.error:
        pass
    m.logout()


def t_idle_cap():
    m = imaps()
    assert "IDLE" in m.capabilities, m.capabilities
    m.logout()


def t_smtp_auth_delivery():
    with smtplib.SMTP(H, info["smtp_port"]) as s:
        try:  # AUTH is required before MAIL
            s.sendmail("x@y.test", ["client@example.test"], msg("noauth"))
            raise AssertionError("unauthenticated MAIL accepted")
        except smtplib.SMTPSenderRefused as e:
            assert e.smtp_code == 530, e
        s.login("support@acme.test", "secret")
        s.sendmail("support@acme.test", ["client@example.test"], msg("via-smtp"))
        try:
            s.sendmail("support@acme.test", ["nobody@example.test"], msg("x"))
            raise AssertionError("unknown recipient accepted")
        except smtplib.SMTPRecipientsRefused as e:
            assert e.recipients["nobody@example.test"][0] == 550, e
    until(lambda: inbox_has("via-smtp"), what="via-smtp in INBOX")
    log = [json.loads(l) for l in open(info["smtp_log"])]
    assert log[-1]["rcpt_tos"] == ["client@example.test"], log
    assert log[-1]["mail_from"] == "support@acme.test", log
    assert log[-1]["auth_user"] == "support@acme.test", log


def t_smtp_tls_ports():
    with smtplib.SMTP(H, info["smtp_starttls_port"]) as s:
        s.starttls(context=ctx)
        s.login("support@acme.test", "secret")
        s.sendmail("support@acme.test", ["client@example.test"], msg("via-starttls"))
    with smtplib.SMTP_SSL(H, info["smtps_port"], context=ctx) as s:
        s.login("support@acme.test", "secret")
        s.sendmail("support@acme.test", ["client@example.test"], msg("via-smtps"))
    until(lambda: inbox_has("via-starttls") and inbox_has("via-smtps"),
          what="TLS-sent messages in INBOX")


def t_deliver_mode():
    path = os.path.join(d, "dropped.eml")
    with open(path, "w", newline="") as f:
        f.write(msg("dropped"))
    out = subprocess.run([sys.executable, MS, "--dir", d, "--deliver",
                          "client@example.test", path],
                         check=True, capture_output=True, text=True).stdout
    assert "/new/" in out, out
    until(lambda: inbox_has("dropped"), what="dropped message in INBOX")
    with open(path, "w", newline="") as f:
        f.write(msg("dropped-by-command"))
    command(f"deliver client@example.test {path}")
    until(lambda: inbox_has("dropped-by-command"), what="command-dropped message")


def t_idle_sees_delivery():
    m = imaps()
    m.select("INBOX")
    tag = m._new_tag()
    m.send(tag + b" IDLE\r\n")
    assert m.readline().startswith(b"+"), "no IDLE continuation"
    path = os.path.join(d, "idle.eml")
    with open(path, "w", newline="") as f:
        f.write(msg("while-idle"))
    subprocess.run([sys.executable, MS, "--dir", d, "--deliver",
                    "client@example.test", path], check=True, capture_output=True)
    m.sock.settimeout(10)
    line = m.readline()
    assert b"EXISTS" in line, line
    m.send(b"DONE\r\n")
    while not (line := m.readline()).startswith(tag):
        pass
    assert b" OK" in line, line
    m.logout()


def t_restart_dovecot():
    m = imaps()
    m.select("INBOX")
    os.kill(proc.pid, signal.SIGUSR1)  # or the stdin command restart-imap
    assert next_line() == {"done": "restart-imap"}
    try:
        m.noop()
        raise AssertionError("old connection survived the restart")
    except (imaplib.IMAP4.abort, OSError):
        pass
    assert inbox_has("via-smtp"), "mail lost over restart"
    command("stop-imap")
    try:
        socket.create_connection((H, info["imaps_port"]), timeout=2).close()
        raise AssertionError("imaps still listening after stop-imap")
    except ConnectionRefusedError:
        pass
    command("start-imap")
    assert inbox_has("dropped"), "mail lost over stop/start"


def t_clean_shutdown():
    proc.stdin.close()  # what a dying test process does
    assert proc.wait(15) == 0, proc.returncode
    for port in (info["imap_port"], info["imaps_port"], info["smtp_port"]):
        try:
            socket.create_connection((H, port), timeout=2).close()
            raise AssertionError(f"port {port} still open after exit")
        except ConnectionRefusedError:
            pass


try:
    for name, fn in [
        ("imaps login, certificate verified against ca.pem", t_imaps_verified),
        ("STARTTLS on the plain IMAP port", t_starttls),
        ("plaintext LOGIN on the plain IMAP port", t_plain_login),
        ("IDLE in CAPABILITY", t_idle_cap),
        ("SMTP AUTH + delivery to INBOX, 530/550 rejections", t_smtp_auth_delivery),
        ("SMTP STARTTLS and smtps ports", t_smtp_tls_ports),
        ("--deliver mode and deliver command", t_deliver_mode),
        ("IDLE reports a new delivery", t_idle_sees_delivery),
        ("dovecot kill+restart (SIGUSR1), stop-imap/start-imap", t_restart_dovecot),
        ("stdin EOF shuts everything down", t_clean_shutdown),
    ]:
        check(name, fn)
finally:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(15)
    tmp.cleanup()

failed = results.count(False)
print(f"{results.count(True)} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
