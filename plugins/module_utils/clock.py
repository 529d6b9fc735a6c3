# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""Time as the collection's code sees it: one clock for every wait, backoff, deadline and expiry.

Everything that sleeps or reads the time goes through ``CLOCK`` (looked up at each call, never
imported by value), so a test can put the simulator's clock in its place: a Retry-After, a
backoff or a ``wait_sleep`` then moves the simulated time on instead of waiting, and a job that
takes an hour on the simulator ends within a test that takes milliseconds.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time


class Clock:
    """The real clock."""

    def time(self):
        """Seconds since the epoch (for moments an API names: Retry-After dates, rate-limit resets, ages)."""
        return time.time()

    def monotonic(self):
        """Seconds on a clock that never goes back (for deadlines and token expiry)."""
        return time.monotonic()

    def sleep(self, seconds):
        if seconds > 0:
            time.sleep(seconds)


CLOCK = Clock()


def use(clock):
    """Make ``clock`` the clock of every later call; returns the one it replaces."""
    global CLOCK
    previous, CLOCK = CLOCK, clock
    return previous
