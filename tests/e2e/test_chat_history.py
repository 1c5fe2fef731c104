"""`parley chat` and the server's history (issue 13), end to end against `parley server`:

- a message said in a channel before the client joined shows in its window, between the
  "history" and "new" separators, and live lines follow;
- after its connection is killed, the client reconnects and shows what was said meanwhile,
  without repeating what it had shown;
- in the terminal UI (tmux), PgUp at the top of a window loads older lines above the others,
  until the server has nothing older.

Every wait has a deadline; clients, servers and the private tmux server are ended at teardown.
"""

from __future__ import annotations

import re
import shutil

import pytest

import polling
from test_chat import HeadlessChat
from tmux_session import Tmux

TIMEOUT = 10.0


def wait_for(predicate, timeout=TIMEOUT, what="condition"):
    return polling.wait_for(predicate, timeout, what)


@pytest.fixture
def chats():
    started: list[HeadlessChat] = []
    yield started
    for c in started:
        c.close()


def say(client, target: str, text: str) -> None:
    """A message from a client with echo-message, returned once its echo arrived: then it is in
    history (docs/protocol.md 1.9, "The echo is the acknowledgement")."""
    client.send(f"PRIVMSG {target} :{text}")
    client.expect(re.compile(r"^(?:@\S+ )?:%s!\S+ PRIVMSG %s :%s$" % (re.escape(client.nick), re.escape(target),
                                                                   re.escape(text))))


def test_a_message_said_before_joining_shows_in_the_window(parley_bin, server, chats):
    bob = server.registered("bob", caps=["echo-message"])
    bob.join("#hist")
    say(bob, "#hist", "said before you came")
    chat = HeadlessChat(parley_bin, server.port, "alice", "--join", "#hist")
    chats.append(chat)
    chat.expect(r"^\[#hist\] -- You joined #hist$")
    chat.expect(r"^\[#hist\] ----- history -----$")
    chat.expect(r"^\[#hist\] <bob> said before you came$")
    chat.expect(r"^\[#hist\] ----- new -----$")
    bob.send("PRIVMSG #hist :and this one live")
    chat.expect(r"^\[#hist\] <bob> and this one live$")
    chat.type("/quit")
    assert chat.proc.wait(timeout=5) == 0


def test_what_was_said_while_disconnected_shows_after_the_reconnect(parley_bin, start_server, password_hash,
                                                                      chats):
    srv = start_server({"operator": [
        {"name": "admin", "password_hash": password_hash("0per-secret"), "host": "*@127.0.0.1"},
    ]})
    oper = srv.registered("oper", caps=["echo-message"])
    oper.join("#hist")
    oper.send("OPER admin 0per-secret")
    oper.expect_numeric("381")
    chat = HeadlessChat(parley_bin, srv.port, "alice", "--join", "#hist")
    chats.append(chat)
    chat.expect(r"^\[#hist\] -- You joined #hist$")
    oper.expect_command("JOIN", "alice")
    say(oper, "#hist", "seen before the outage")
    chat.expect(r"^\[#hist\] <oper> seen before the outage$")

    # The client waits a second before reconnecting: these lines fall into the outage.
    oper.send("KILL alice :testing the catch-up")
    oper.expect_command("QUIT", "alice")
    say(oper, "#hist", "said during the outage")
    say(oper, "#hist", "and this too")
    chat.expect(r"Disconnected from")
    chat.expect(r"^\[#hist\] -- You joined #hist$", timeout=20)
    chat.expect(r"^\[#hist\] <oper> said during the outage$")
    chat.expect(r"^\[#hist\] <oper> and this too$")
    chat.expect(r"^\[#hist\] ----- new -----$")
    shown = [line for line in chat.seen if line == "[#hist] <oper> seen before the outage"]
    assert len(shown) == 1, chat.seen  # asked for what came after it, so not shown again
    oper.send("PRIVMSG #hist :welcome back")
    chat.expect(r"^\[#hist\] <oper> welcome back$")


@pytest.fixture
def tmux():
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    t = Tmux("parley-history")
    yield t
    t.kill()


def press(tmux: Tmux, key: str, screen) -> None:
    """Presses a paging key and waits for the screen to change. At the top of a window it may not
    (older lines arrive above the view without moving it): then the wait ends after 2 s."""
    before = screen()
    tmux.keys("chat", key)
    try:
        wait_for(lambda: screen() != before, 2, what=f"the screen to change after {key}")
    except AssertionError:
        pass


def test_page_up_at_the_top_loads_older_lines(parley_bin, server, tmux):
    bob = server.registered("bob", caps=["echo-message"])
    bob.join("#hist")
    for i in range(1, 81):  # one at a time: the server holds a sender's lines until the store answers
        say(bob, "#hist", f"msg {i:03}")
    say(bob, "#hist", "the last one")
    tmux.start("chat", [parley_bin, "chat", f"{server.host}:{server.port}", "--nick", "alice", "--join", "#hist"],
               width=90, height=20, term="tmux-256color")
    screen = lambda: tmux.screen("chat")  # noqa: E731
    wait_for(lambda: "the last one" in screen(), what="the newest history line on screen")
    # The join brought the newest 50 (msg 031 ... the last one); paging up reaches their top,
    # then older ones, then the server's "nothing older".
    for _ in range(30):
        if "No older messages in the history of #hist" in screen():
            break
        press(tmux, "PPage", screen)
    top = screen()
    assert "No older messages in the history of #hist" in top, top
    rows = top.splitlines()
    numbers = [int(m.group(1)) for r in rows if (m := re.search(r"<bob> msg (\d{3})", r))]
    assert numbers[:5] == [1, 2, 3, 4, 5], top  # the oldest, in order, right under the notice
    # PgDn back to the bottom passes the lines loaded by scrolling, then the join's, in order.
    seen: list[int] = list(numbers)
    for _ in range(30):
        press(tmux, "NPage", screen)
        seen += [int(m.group(1)) for r in screen().splitlines() if (m := re.search(r"<bob> msg (\d{3})", r))]
        if "the last one" in screen() and "-- more" not in screen():
            break
    ordered = sorted(set(seen))
    assert ordered == list(range(1, 81)), ordered
    tmux.type("chat", "/quit")
    tmux.keys("chat", "Enter")
    wait_for(lambda: not tmux.alive("chat"), what="the client to exit")
