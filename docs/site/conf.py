# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sphinx configuration of the jobctl.cloud docs site (made with `antsibull-docs sphinx-init`).

Build it with docs/site/build.sh. The site must build without network access, so the one
inventory it links into (Ansible's own documentation) is written by this file from the few
labels antsibull-docs refers to, instead of being downloaded.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import zlib

project = "jobctl.cloud"
copyright = "jobctl.cloud contributors"  # noqa: A001 - the name Sphinx reads
title = "jobctl.cloud collection documentation"
html_short_title = "jobctl.cloud"

extensions = ["sphinx.ext.intersphinx", "sphinx_antsibull_ext"]

pygments_style = "ansible"
highlight_language = "YAML+Jinja"

html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

default_role = "any"
# Every reference must resolve (build.sh also turns warnings into errors).
nitpicky = True

ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
ANSIBLE_INVENTORY = "_ansible_devel.inv"
# Labels of Ansible's documentation that antsibull-docs' generated pages link to: name -> (page, title).
ANSIBLE_LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values",
                             "Return Values"),
    "ansible_configuration_settings": ("reference_appendices/config.html#ansible-configuration-settings",
                                       "Ansible Configuration Settings"),
}

# Ansible's own environment variables the inventory plugin's cache options name (from the
# ansible.builtin.inventory_cache fragment): documented in Ansible's configuration reference.
ANSIBLE_ENVVARS = ("ANSIBLE_CACHE_PLUGIN", "ANSIBLE_CACHE_PLUGIN_CONNECTION", "ANSIBLE_CACHE_PLUGIN_PREFIX",
                   "ANSIBLE_CACHE_PLUGIN_TIMEOUT")

# A local inventory only (no URL to fetch it from), read relative to the source folder.
intersphinx_mapping = {"ansible_devel": (ANSIBLE_DOCS, ANSIBLE_INVENTORY)}


def write_ansible_inventory(app, config):
    """Write ANSIBLE_LABELS as a Sphinx inventory (version 2) where intersphinx will read it."""
    lines = "".join("%s std:label -1 %s %s\n" % (name, page, label)
                    for name, (page, label) in sorted(ANSIBLE_LABELS.items()))
    lines += "".join("%s std:envvar -1 reference_appendices/config.html#envvar-%s -\n" % (name, name)
                     for name in ANSIBLE_ENVVARS)
    header = ("# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
              "# The remainder of this file is compressed using zlib.\n")
    with open(os.path.join(app.srcdir, ANSIBLE_INVENTORY), "wb") as handle:
        handle.write(header.encode("utf-8") + zlib.compress(lines.encode("utf-8")))


def setup(app):
    # Before intersphinx loads its inventories (at builder-inited).
    app.connect("config-inited", write_ansible_inventory)
