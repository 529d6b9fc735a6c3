# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The vps_info action: the module in the controller's process when the task runs there (plugin_utils/in_process.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.jobctl.cloud.plugins.plugin_utils.in_process import InProcessAction, import_module


class ActionModule(InProcessAction):
    MODULE = import_module("vps_info")
