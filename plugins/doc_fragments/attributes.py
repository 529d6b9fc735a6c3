# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Every module: runs on the controller (or wherever the task is delegated), on POSIX.
    DOCUMENTATION = r"""
options: {}
attributes:
  action:
    description: Indicates this has a corresponding action plugin so some parts of the options can be executed on the controller.
    support: full
    details: >-
      A same-named action plugin runs the module's code in the controller's own process when the task
      would run on the controller anyway: a local connection (C(delegate_to: localhost) included),
      no C(become), no C(async), and the controller's own Python as the interpreter (as for the
      implicit C(localhost) and the collection's roles). That saves a Python process per task; the
      result is the same. Otherwise, or with the environment variable C(JOBCTL_CLOUD_IN_PROCESS=false)
      on the controller or the variable C(jobctl_cloud_in_process=false), the module runs as a
      process, as any module does. C(-vvv) shows which way each task ran, and why.
  platform:
    support: full
    platforms: posix
"""

    # The _info modules: they only read.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: This module only reads; it runs the same in check mode.
  diff_mode:
    support: N/A
    details: This module only reads, so there is nothing to show as a difference.
"""

    # The modules that cancel or delete. A module says more in its own C(details) where it has more to say.
    ACTION_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details: Sends only reads, and reports as changed exactly what a real run would change.
  diff_mode:
    support: full
    details: Shows the objects before and after.
notes:
  - >-
    A request whose answer is lost (a gateway error, a dropped connection, an answer cut off or
    unreadable, a read timeout) may still have been carried out. The module never guesses: it reads
    the object once; if the change is in place it reports C(changed=true) with a warning that the
    answer was lost, and if the work is still to be done it sends the request again (within
    O(retries)). An HTTP 429 was refused before processing and is simply retried.
  - >-
    Two runs racing for the same object: the one whose request the API carried out reports
    C(changed=true); the other finds the change in place and reports C(changed=false). Neither fails.
"""
