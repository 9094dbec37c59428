"""Loaded only when the suite runs under libfaketime (see the Makefile): only the date moves.

libfaketime 0.9.10 (Debian 12) breaks Python's waits one way or the other: with the monotonic
clock faked, every timed lock or event wait (`sem_clockwait`, which it does not wrap) sleeps until
the real monotonic clock reaches the faked one, i.e. for the whole offset; with it left real
(`FAKETIME_DONT_FAKE_MONOTONIC=1`, as the Makefile sets), `time.sleep` fails with EINVAL because
its `clock_nanosleep` wrapper shifts an absolute monotonic deadline by the offset. So the Makefile
keeps the monotonic clock real and puts this folder on PYTHONPATH, and here `time.sleep` becomes
the same wait on the (real) monotonic clock. The wall clock, the one the date comes from, stays
faked for every process, Python's and DuckDB's alike.
"""

import threading
import time


def _sleep(seconds: float) -> None:
    threading.Event().wait(max(0.0, seconds))


time.sleep = _sleep
