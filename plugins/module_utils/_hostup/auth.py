# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Note that this module util is **PRIVATE** to the collection. It can have breaking changes at any time.
# Do not use this from other collections or standalone plugins/modules!

"""HostUp's one kind of credential: an API key, sent as ``Authorization: Bearer <key>``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.jobctl.cloud.plugins.module_utils.auth import GivenToken, OAuthBearer

CREDENTIALS = (GivenToken("api_token", "an API key"),)


def bearer(token):
    """The Auth of every HostUp request: the key as it is (it cannot be renewed)."""
    return OAuthBearer(token)
