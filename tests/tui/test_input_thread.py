"""The driver's input thread: a key read from the terminal holds back the background work at
once, before it is parsed and handed to the UI thread (which the work would otherwise share the
interpreter with on the key's way there); the mouse moving does not."""

from __future__ import annotations

import os
import threading
import time
import tty
from pathlib import Path

from store.library import Library
from tests.tui.pilot import app_for
from tui.linux_driver import PaperdeckDriver


async def test_a_key_read_is_noted_before_it_reaches_the_ui_thread_and_a_mouse_move_is_not(
    tmp_path: Path,
) -> None:
    app = app_for(Library.open(tmp_path / "db"))
    gate = app.desk.view.typing
    driver = PaperdeckDriver(app, mouse=True)
    master, slave = os.openpty()
    tty.setraw(slave)  # as the app sets its terminal: bytes come as typed, not by line
    driver.fileno = slave
    handed: list[tuple[str, float]] = []
    arrived = threading.Event()

    def process_message(message: object) -> None:  # what would go to the UI thread
        handed.append((type(message).__name__, gate._last))
        arrived.set()

    driver.process_message = process_message  # type: ignore[method-assign]
    reader = threading.Thread(target=driver.run_input_thread, daemon=True)
    reader.start()
    try:
        before = gate._last
        os.write(master, b"\x1b[<35;10;5M")  # the pointer moved over the screen
        assert arrived.wait(5)
        assert handed[-1] == ("MouseMove", before)  # no key: the work goes on
        arrived.clear()
        sent = time.monotonic()
        os.write(master, b"s")
        assert arrived.wait(5)
        name, noted = handed[-1]
        assert name == "Key"
        assert noted >= sent  # noted on the input thread, before the key was handed over
    finally:
        driver.exit_event.set()
        reader.join(5)
        os.close(master)
        os.close(slave)
