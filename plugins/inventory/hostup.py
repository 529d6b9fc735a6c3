# -*- coding: utf-8 -*-
# Copyright: (c) 2026, jobctl.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: hostup
short_description: HostUp VPS as inventory hosts, one host per VPS
version_added: 0.1.0
description:
  - 'Lists the VPS of a HostUp account with C(GET /vps), every page of it, and makes one host of each
    VPS, so that a play can act on a fleet per host with forks, for example with
    C(vps_id: "{{ hostup_id }}") (the playbook C(jobctl.cloud.hostup_fleet) cancels jobs and prunes
    backups that way).'
  - 'Reads a configuration file whose name ends with C(hostup.yml) or C(hostup.yaml) and that holds
    C(plugin: jobctl.cloud.hostup). A file of another name that holds that line is not read, with a
    warning that says why and proposes a name (Ansible itself only says the source "could not be verified").'
  - 'A key of the file that is not an option of the plugin (C(filter:) mistyped for C(filters:), say) fails
    the source before any request, naming the key and the nearest option, for example
    C(unknown option ''filter'' (did you mean ''filters''?)). Ansible itself would ignore the key.'
  - 'Host names: the VPS are named in ascending order of their IDs, and each takes the first of its
    C(name) (or the name O(hostname) gives it), C(<name>_<id>) and its ID that is neither reserved nor the host name of a VPS named
    before it. Reserved are C(localhost), C(127.0.0.1) and C(::1) in any case (a VPS never takes over
    a play on the controller, such as C(hosts: localhost)); every group name: C(all), C(ungrouped),
    C(hostup) and every name beginning with C(hostup_) (the groups of power states, also those no VPS
    is in), the groups of other inventory sources read before this one, the names of O(groups), and
    the names of O(keyed_groups) (see the notes); and the ID of every other VPS. A name that is blank
    or holds a character that is not printable (a line break, a terminal escape) is not used.'
  - 'A VPS that is not the host of its own name is shown in one warning naming its ID, its name (quoted,
    control characters escaped, cut after 80 characters) and its host name, with the reason. A VPS
    name never fails the inventory, and two VPS are never merged into one host. For example the VPS
    C(web) (ID C(vps_..a)), C(web_vps_..c) (ID C(vps_..b)) and C(web) (ID C(vps_..c)) are the hosts
    C(web), C(web_vps_..c) and C(vps_..c); a VPS named C(localhost) is the host C(localhost_<id>).'
  - 'Hosts stay the VPS themselves, for plays that log in to them; C(ansible_host) is the VPS C(primaryIp)
    when it has one. The plugin sets no connection (C(ansible_connection)) and no other connection
    variable (see O(compose) for those). The playbook C(jobctl.cloud.hostup_fleet) makes its API calls on
    the controller (local connection, no become, the controller''s Python) whatever the hosts'' connection
    variables say: API keys never leave the controller.'
  - 'Each host has the variables C(hostup_id), C(hostup_name), C(hostup_primary_ip),
    C(hostup_service_status), C(hostup_power_state) and C(hostup_operating_system): the values of
    the VPS fields C(id), C(name), C(primaryIp), C(serviceStatus), C(powerState) and
    C(operatingSystem) as the API gives them (an object stays an object, a missing field is
    V(null)), and C(hostup_raw), the VPS object itself with every field the API gave (for example
    C(hostup_raw.billing) or C(hostup_raw.resources), as O(compose), O(groups), O(keyed_groups) and
    O(hostname) may use them). Like every value that comes from an API, they are never evaluated as
    templates.'
  - Every host is in the group C(hostup), and in C(hostup_<powerState>) (for example C(hostup_running)),
    where characters that are not allowed in a group name are replaced by C(_).
  - One C(GET /vps) per page of 100 VPS (the largest page the API allows), nothing else. The requests
    go through the collection's HTTP client, as the modules' do, with the same retries, C(Retry-After)
    handling, TLS options and error messages (the HTTP status with the API's title, detail and request
    ID); no secret is ever shown in a message, at any verbosity.
author:
  - jobctl.cloud maintainers (@jobctl)
options:
  plugin:
    description: Marks the file as a configuration of this plugin.
    type: str
    required: true
    choices: [jobctl.cloud.hostup]
  api_token:
    description:
      - 'A HostUp API key, sent as C(Authorization: Bearer <key>). Listing the VPS needs the scope C(read:vm).'
      - May be a template, for example C("{{ vault_hostup_api_key }}"), evaluated with the extra vars.
      - It must hold visible ASCII characters only; a value with a space, a line break or a typographic
        quote fails before any request, naming the option and never showing the value.
      - If not set, the value of the E(HOSTUP_API_KEY) environment variable is used (as an AWX or
        Automation Controller credential injects it, see C(docs/awx.md)); an empty variable counts as unset.
    type: str
    required: true
    env:
      - name: HOSTUP_API_KEY
  api_url:
    description:
      - The base URL of the HostUp cloud API v2. An absolute C(http) or C(https) URL without user info,
        query or fragment.
      - If not set, the value of the E(HOSTUP_API_URL) environment variable is used, else the default;
        an empty variable counts as unset.
    type: str
    default: https://cloud.hostup.se/api/v2
    env:
      - name: HOSTUP_API_URL
  filters:
    description:
      - Only the VPS the API lists for these filters become hosts. The filters are sent to C(GET /vps)
        as they are; the API does the matching. These are the filters C(GET /vps) documents (besides
        its paging); use O(groups), O(keyed_groups) or C(--limit) to select by other fields.
      - How the API matches O(filters.name) (exactly, or as a part of the name; with or without
        regard to case) is B(unconfirmed) (the simulator that the collection is tested against
        matches a case-insensitive part of the name). Before acting on a filtered fleet, look at what
        the filter selects with C(ansible-inventory --graph).
      - Values may be templates, evaluated with the extra vars.
    type: dict
    default: {}
    suboptions:
      name:
        description: Sent as the C(name) query parameter.
        type: str
      primary_ip:
        description: Sent as the C(primaryIp) query parameter.
        type: str
  hostname:
    description:
      - 'The host name of each VPS: a Jinja2 expression, as a value of O(compose) is, evaluated over the
        variables the plugin gives the host (C(hostup_id), C(hostup_name), the other C(hostup_*),
        C(hostup_raw), C(ansible_host); not those of O(compose)). For example
        C(hostup_name ~ ".vps.example.net") or C(hostup_primary_ip).'
      - 'If not set, the VPS name. The name it gives is then used as the VPS name is: reserved names
        and names already taken are refused as the description says (C(localhost) becomes
        C(localhost_<id>)), with a warning.'
      - An expression that fails for a VPS, or gives an empty name, or a list or a dictionary, leaves
        that VPS its own name (and the fallbacks above), with a warning giving the reason. A host name
        never fails the inventory, whatever O(strict) says.
    type: str
  # TLS files (connectivity): the HOSTUP_* variables, as the modules read them. O(proxy), O(no_proxy) and
  # O(rate_limit_max_wait) come with the http_options fragment.
  ca_path:
    description:
      - A PEM file of CA certificates to trust when verifying the API's TLS certificate (or a directory
        of them, prepared with C(c_rehash)); for example the CA of a proxy that inspects TLS.
      - If not set, the value of the E(HOSTUP_CA_PATH) environment variable is used; else the CA bundle of
        C(REQUESTS_CA_BUNDLE) or C(CURL_CA_BUNDLE), else the system's.
      - A path that does not exist or cannot be read fails the source before any request, naming this option.
    type: str
    env:
      - name: HOSTUP_CA_PATH
  client_cert:
    description:
      - A PEM file with the client certificate to present in the TLS handshake (mutual TLS); its private
        key follows it in the same file, or is given in O(client_key).
      - If not set, the value of the E(HOSTUP_CLIENT_CERT) environment variable is used.
      - A file that cannot be used (missing, unreadable, no PEM certificate, a key that is missing,
        encrypted or not the certificate's) fails the source before any request, naming the option.
    type: str
    env:
      - name: HOSTUP_CLIENT_CERT
  client_key:
    description:
      - A PEM file with the private key of O(client_cert), when that file does not hold it. It must not be
        encrypted. Its content is never read into a message.
      - If not set, the value of the E(HOSTUP_CLIENT_KEY) environment variable is used.
    type: str
    env:
      - name: HOSTUP_CLIENT_KEY
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
  - jobctl.cloud.http_options
notes:
  - 'Groups of O(keyed_groups) are only known from the hosts'' variables: they are worked out on a scratch
    copy of the inventory before the hosts are named (up to 3 times, should host names change them), and
    reserved like every other group name. A group of O(groups) or O(keyed_groups) still named like one of
    the hosts after that (a keyed group made of C(inventory_hostname), for example) is not made, with a
    warning: a host is never nested into a group, nor a group taken for a host.'
  - 'Should even a VPS ID be a group name (a keyed group made of C(hostup_id) without a prefix), that VPS
    is the host C(<id>_2), or the next free number.'
  - A VPS whose ID is not of the form HostUp uses (C(vps_) and 26 lowercase letters or digits, a form
    HostUp only ever shows by example) is left out of the inventory with a warning, as the modules would
    refuse to act on it.
  - A VPS listed twice (the list changed while it was being read) is one host.
  - The inventory holds at most 100000 VPS (1000 pages of 100). A list longer than that, or a page with
    more VPS than the 100 asked for, fails the inventory with a message naming the bound, as soon as that
    page is read (nothing more is read). An API that gives the same C(nextCursor) twice, or says C(hasMore)
    without a C(nextCursor), fails the inventory with a message saying so, rather than loop.
  - 'A failed inventory source is only a warning to Ansible by default, and a play then matches no host.
    Set C(ANSIBLE_INVENTORY_UNPARSED_FAILED=true) (or C(unparsed_is_failed = true) in the C([inventory])
    section of C(ansible.cfg)) to make it fatal; AWX and Automation Controller inventory updates always do.'
  - With O(cache=true) the VPS list is cached per configuration file, O(api_url) and O(filters) (never the
    API key). After changing the key to another account's, run with C(--flush-cache).
"""

EXAMPLES = r"""
# fleet.hostup.yml: every VPS of the account. The key comes from HOSTUP_API_KEY.
plugin: jobctl.cloud.hostup

# ansible-inventory -i fleet.hostup.yml --graph
# ansible-playbook -i fleet.hostup.yml jobctl.cloud.hostup_fleet --forks 20 -e vps_backup_prune_keep_last=7

---
# Only the VPS whose name the API matches with "web", the key from a vaulted variable given as an
# extra var (-e @vault.yml), groups by operating system and a group of the VPS needing attention.
plugin: jobctl.cloud.hostup
api_token: "{{ vault_hostup_api_key }}"
filters:
  name: web
keyed_groups:
  # hostup_os_ubuntu_24_04, ...
  - key: hostup_operating_system.id
    prefix: hostup_os
groups:
  # every VPS that is not running normally
  hostup_attention: hostup_service_status != 'active' or hostup_power_state != 'running'
compose:
  # connect as this user when a play does log in to the VPS
  ansible_user: "'admin'"

---
# Hosts named after the VPS's DNS names, and groups by a field of the VPS that has no variable of its
# own (hostup_raw holds every field the API gave: billing_monthly, ...).
plugin: jobctl.cloud.hostup
hostname: hostup_name ~ ".vps.example.net"
keyed_groups:
  - key: hostup_raw.billing.cycle
    prefix: billing

---
# One VPS by its address, with the VPS list cached for an hour in files.
plugin: jobctl.cloud.hostup
filters:
  primary_ip: 185.20.36.14
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/jobctl-hostup-inventory
cache_timeout: 3600
"""

import difflib
import hashlib
import json
import os
import re

import ansible.constants as C
from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.inventory.group import to_safe_group_name
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.auth import bearer
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.client import MAX_VPS, VPS_FILTERS, HostupClient
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.models import vps_id_problem
from ansible_collections.jobctl.cloud.plugins.module_utils._hostup.module import API, DEFAULT_URL, NAME
from ansible_collections.jobctl.cloud.plugins.module_utils.auth import OAuthToken
from ansible_collections.jobctl.cloud.plugins.module_utils.client import HAS_REQUESTS, RETRY_AFTER_CAP, HttpClient
from ansible_collections.jobctl.cloud.plugins.module_utils.errors import ApiError, Secrets
from ansible_collections.jobctl.cloud.plugins.module_utils.models import HAS_PYDANTIC
from ansible_collections.jobctl.cloud.plugins.module_utils.options import (
    http_problems,
    is_set,
    missing_problem,
    proxy_password,
    secret_problem,
    url_problem,
)

# Option name -> the query parameter of GET /vps.
FILTERS = VPS_FILTERS

# The names of the configuration files the plugin reads (DOCUMENTATION).
FILE_ENDINGS = ("hostup.yml", "hostup.yaml")
# A file no larger than this is looked into when its name is refused, to say why when it is meant for this plugin.
LOOKED_INTO_BYTES = 1024 * 1024
# The line ``plugin: <name>`` of a configuration file (the name optionally quoted, a comment after it).
PLUGIN_LINE = re.compile(r"^plugin[ \t]*:[ \t]*(['\"]?)([^'\"\s#]+)\1[ \t]*(?:#.*)?$", re.MULTILINE)

GROUP = "hostup"
# Host variable -> the VPS field it carries.
HOST_VARS = (
    ("hostup_id", "id"),
    ("hostup_name", "name"),
    ("hostup_primary_ip", "primaryIp"),
    ("hostup_service_status", "serviceStatus"),
    ("hostup_power_state", "powerState"),
    ("hostup_operating_system", "operatingSystem"),
)
# The host variable holding the VPS as the API gave it, every field.
RAW_VAR = "hostup_raw"

# Host names (DOCUMENTATION, "Host names"). Ansible's own names for the controller, reserved in any case.
CONTROLLER_NAMES = ("localhost", "127.0.0.1", "::1")
# Groups Ansible always has.
ANSIBLE_GROUPS = ("all", "ungrouped")
# The plugin's groups are GROUP and GROUP_<powerState>, for any state: every name of that family is
# reserved, also while no VPS is in that state (so --limit hostup_stopped never picks a VPS so named).
GROUP_PREFIX = GROUP + "_"
# The most VPS the inventory holds: pages of VPS_PAGE_SIZE, at most MAX_VPS_PAGES of them.
MAX_HOSTS = MAX_VPS
# A warning shows at most this many characters of a name from the API.
SHOWN_CHARS = 80
# ... and of the error of the option hostname.
SHOWN_ERROR_CHARS = 300
# How often the groups of keyed_groups are worked out on a scratch inventory before the hosts are named
# (a keyed group made from the host name moves with it).
NAMING_PASSES = 3


def vps_problem(item):
    """Why a listed VPS cannot be a host (its ID is unusable), or None when it can."""
    return vps_id_problem(item.get("id"))


def shown(value, limit=SHOWN_CHARS):
    """A value from the API as a message may show it: quoted, control characters escaped, cut after ``limit``."""
    if not isinstance(value, str):
        text = repr(value)
        return text if len(text) <= limit else text[:limit] + "..."
    if len(value) <= limit:
        return repr(value)
    return "%r... (%d characters)" % (value[:limit], len(value))


def group_reason(name, groups):
    """Why ``name`` cannot be a host name because of a group, or None."""
    if name.lower() in CONTROLLER_NAMES:
        return "%s names the controller" % shown(name)
    if name in ANSIBLE_GROUPS or name == GROUP or name.startswith(GROUP_PREFIX):
        return "%s is a group name (all, ungrouped, %s, %s*)" % (shown(name), GROUP, GROUP_PREFIX)
    if name in groups:
        return "%s is a group name" % shown(name)
    return None


def host_names(vps_list, groups=(), wanted=None):
    """``(host name, VPS)`` for each VPS in ascending ID order, and one warning per VPS not named after itself.

    Each VPS takes the first of its name, ``<name>_<id>`` and its ID that is neither reserved
    (``localhost``, ``127.0.0.1``, ``::1`` in any case; ``all``, ``ungrouped``, ``hostup`` and every
    ``hostup_*``; every name in ``groups``; the ID of another VPS) nor the host of an earlier VPS.
    A name that is blank or not printable (a line break, an escape sequence) is not used. Should
    even its ID be a group name, it is ``<id>_2`` (or the next free number). Never fails.

    ``wanted`` (the option ``hostname``) maps a VPS ID to ``(name, problem)``: the name it asks for
    in place of the VPS name, or, when ``problem`` says why it gave none, the VPS name with that
    reason in the warning.
    """
    ordered = sorted(vps_list, key=lambda vps: vps["id"])
    ids = set(vps["id"] for vps in ordered)
    groups = frozenset(groups)
    taken = {}  # host name -> VPS ID
    named = []
    warnings = []
    for vps in ordered:
        vps_id = vps["id"]
        name = vps.get("name")
        label = "name %s" % shown(name)
        refused = []
        asked, problem = (wanted or {}).get(vps_id, (None, None))
        if problem:
            refused.append(problem)
        elif asked is not None:
            name = asked
            label += ", hostname %s" % shown(asked)
        if not isinstance(name, str) or not name.strip():
            refused.append("it has no name")
            candidates = [vps_id]
        elif not name.isprintable():
            # A line break or a terminal's escape sequence would be printed with every task of the host.
            refused.append("its name holds characters that are not printable")
            candidates = [vps_id]
        else:
            candidates = [name, "%s_%s" % (name, vps_id), vps_id]
        host = None
        for candidate in candidates:
            reason = group_reason(candidate, groups)
            if reason is None and candidate in ids and candidate != vps_id:
                reason = "%s is the ID of another VPS" % shown(candidate)
            if reason is None and candidate in taken:
                reason = "%s is already the host of VPS %s" % (shown(candidate), taken[candidate])
            if reason is None:
                host = candidate
                break
            refused.append(reason)
        number = 2
        while host is None:
            candidate = "%s_%d" % (vps_id, number)
            if group_reason(candidate, groups) is None and candidate not in taken:
                host = candidate
            number += 1
        if refused:
            warnings.append("HostUp VPS %s (%s) is the host %s: %s" % (vps_id, label, shown(host), "; ".join(refused)))
        taken[host] = vps_id
        named.append((host, vps))
    return named, warnings


def inert(value):
    """``value`` with every string that could be read as a template marked unsafe, so it never is one.

    Only strings holding a brace are marked: older ansible-core prints every marked string as
    ``{"__ansible_unsafe": ...}``, which tools reading ``ansible-inventory`` output (AWX among them)
    may not unwrap; a string without a brace cannot hold a template. (ansible-core 2.19 and later
    never evaluate values set by an inventory plugin at all.)
    """
    if isinstance(value, dict):
        return dict((inert(k), inert(v)) for k, v in value.items())
    if isinstance(value, list):
        return [inert(v) for v in value]
    if isinstance(value, str) and ("{" in value or "}" in value):
        return wrap_var(value)
    return value


def host_variables(vps):
    """The variables the plugin gives the host of ``vps`` (before compose); values from the API are never templates."""
    variables = dict((variable, inert(vps.get(field))) for variable, field in HOST_VARS)
    variables[RAW_VAR] = inert(dict(vps))
    address = vps.get("primaryIp")
    if isinstance(address, str) and address:
        variables["ansible_host"] = inert(address)
    return variables


def power_group(vps):
    """The group ``hostup_<powerState>`` of a VPS, with the characters a group name cannot hold replaced; or None."""
    state = vps.get("powerState")
    if not isinstance(state, str) or not state:
        return None
    return to_safe_group_name("%s_%s" % (GROUP, state), force=True, silent=True)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "jobctl.cloud.hostup"

    def __init__(self):
        super(InventoryModule, self).__init__()
        self._secrets = Secrets()

    def verify_file(self, path):
        """A readable file whose name ends in hostup.yml or hostup.yaml.

        A file of another name that says ``plugin: jobctl.cloud.hostup`` is refused with a warning giving the
        reason (Ansible itself only says that the source "could not be verified").
        """
        if not super(InventoryModule, self).verify_file(path):
            return False
        if path.endswith(FILE_ENDINGS):
            return True
        if self._meant_for_this_plugin(path):
            base = os.path.basename(path)
            stem, extension = os.path.splitext(base)
            renamed = stem + ".hostup" + extension if extension in (".yml", ".yaml") else base + ".hostup.yml"
            self.display.warning("%s says plugin: %s but is not read: inventory file names for %s must end in %s or %s "
                                 "(rename it, for example to %s)"
                                 % (path, self.NAME, self.NAME, FILE_ENDINGS[0], FILE_ENDINGS[1], renamed))
        return False

    def _plugin_names(self):
        return getattr(self, "_redirected_names", None) or [self.NAME]

    def _meant_for_this_plugin(self, path):
        """Whether the file at ``path`` has the line ``plugin: jobctl.cloud.hostup`` (a small file only; never fails)."""
        try:
            if not os.path.isfile(path) or os.path.getsize(path) > LOOKED_INTO_BYTES:
                return False
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return False
        names = self._plugin_names()
        return any(match.group(2) in names for match in PLUGIN_LINE.finditer(text))

    def _read_config_data(self, path):
        """The configuration file, read by Ansible; a key that is no option fails, naming it and the nearest option.

        Ansible itself ignores such a key (a ``filter:`` typo for ``filters:`` would list every VPS).
        """
        config = super(InventoryModule, self)._read_config_data(path)
        self._check_keys(config)
        return config

    def _option_names(self):
        """Every option the plugin takes (its own and its doc fragments'), with their aliases."""
        names = set(self._options or ())
        try:
            definitions = C.config.get_configuration_definitions("inventory", getattr(self, "_load_name", None) or self.NAME)
        except Exception:  # pylint: disable=broad-except
            # Only a fuller list of names is lost: the options Ansible set are still known.
            definitions = {}
        for name, definition in (definitions or {}).items():
            names.add(name)
            names.update((definition or {}).get("aliases") or ())
        return names

    def _check_keys(self, config):
        valid = self._option_names()
        unknown = [key for key in config if key not in valid]
        if not unknown:
            return
        choices = sorted(valid)
        told = []
        for key in unknown:
            near = difflib.get_close_matches(str(key), choices, n=1, cutoff=0.6)
            told.append("%s (%s)" % (shown(key), "did you mean %s?" % shown(near[0]) if near
                                     else "not an option of %s: see ansible-doc -t inventory %s" % (self.NAME, self.NAME)))
        self._fail("unknown option%s %s" % ("s" if len(told) > 1 else "", ", ".join(told)))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._secrets = Secrets()
        if not (HAS_REQUESTS and HAS_PYDANTIC):
            raise AnsibleParserError("the jobctl.cloud.hostup inventory plugin needs the Python libraries requests and "
                                     "pydantic (version 2) where Ansible runs: pip install requests 'pydantic>=2'")
        # Templates in the file (a vaulted key) may use the extra vars.
        self.templar.available_variables = self._vars
        self._read_config_data(path)
        settings = self._settings()

        key = self._cache_key(path, settings)
        use_cache = self.get_option("cache")
        vps_list = None
        if cache and use_cache:
            try:
                vps_list = self._cache[key]
            except KeyError:
                vps_list = None
            if not isinstance(vps_list, list):
                vps_list = None
        if vps_list is None:
            vps_list = self._fetch(settings)
            if use_cache:
                self._cache[key] = vps_list
        else:
            self.display.vvv("HostUp inventory: %d VPS from the cache" % len(vps_list))
        self._populate(vps_list)

    # -- options, checked before any request -------------------------------------------------------
    def _fail(self, msg):
        raise AnsibleParserError(self._secrets.scrub(msg))

    def _templated(self, option):
        value = self.get_option(option)
        if isinstance(value, str) and self.templar.is_template(value):
            value = self.templar.template(value)
        return value

    def _settings(self):
        """The options, each checked as the modules check theirs, before any request."""
        token = self._templated("api_token")
        # Known as a secret before anything could quote it.
        self._secrets.add(token if isinstance(token, str) else None)
        if not is_set(token):
            self._fail(missing_problem("api_token", ["HOSTUP_API_KEY"]))
        if not isinstance(token, str):
            self._fail("api_token must be a string (the value is not shown)")
        problem = secret_problem("api_token", token, in_header=True)
        if problem:
            self._fail(problem)

        url = self._templated("api_url") or DEFAULT_URL
        problem = url_problem(url) or API.api_url_problem(url)
        if problem:
            self._fail("api_url %s (the value is not shown)" % problem)

        settings = {
            "token": token,
            "url": url,
            "timeout": self.get_option("timeout"),
            "retries": self.get_option("retries"),
            "validate_certs": self.get_option("validate_certs"),
            "ca_path": self._file_option("ca_path"),
            "filters": self._filters(),
        }
        settings.update(self._connectivity())
        for problem in http_problems(settings):
            self._fail(problem)
        return settings

    def _file_option(self, option):
        """A file option (ca_path, client_cert, client_key), None when unset or empty. Typed str, not path: an AWX
        credential injects the variable of a field left empty as an empty string, which Ansible's path type
        would turn into the current directory."""
        value = self.get_option(option)
        if not isinstance(value, str) or not value.strip():
            return None
        return os.path.expanduser(value)

    def _connectivity(self):
        """Client certificate, proxy and rate-limit settings (checked with the others by http_problems). The
        proxy's password is a secret from here on: never in a message, at any verbosity."""
        proxy = self.get_option("proxy")
        for password in proxy_password(proxy):
            self._secrets.add(password)
        return {
            "client_cert": self._file_option("client_cert"),
            "client_key": self._file_option("client_key"),
            "proxy": proxy or None,
            "no_proxy": self.get_option("no_proxy"),
            "rate_limit_max_wait": self.get_option("rate_limit_max_wait"),
        }

    def _filters(self):
        """The query parameters of the ``filters`` option; unknown filters fail naming the known ones."""
        filters = self.get_option("filters") or {}
        if not isinstance(filters, dict):
            self._fail("filters must be a dictionary with the keys %s" % ", ".join(sorted(FILTERS)))
        unknown = sorted(str(k) for k in filters if k not in FILTERS)
        if unknown:
            self._fail("filters: unknown filter(s) %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(FILTERS))))
        params = {}
        for option, value in filters.items():
            if isinstance(value, str) and self.templar.is_template(value):
                value = self.templar.template(value)
            if value is None or value == "":
                continue
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                self._fail("filters.%s must be a string" % option)
            params[FILTERS[option]] = str(value)
        return params

    def _cache_key(self, path, settings):
        # Another URL or other filters list other VPS: they must not be served from this file's cache.
        # "raw": entries of releases that kept only some fields of each VPS (no hostup_raw) are not used.
        scope = json.dumps([settings["url"], sorted(settings["filters"].items()), "raw"])
        return "%s_%s" % (self.get_cache_key(path), hashlib.sha256(scope.encode("utf-8")).hexdigest()[:12])

    # -- the API ---------------------------------------------------------------------------------
    def _fetch(self, settings):
        """Every VPS the API lists for the filters, each with every field the API gave, read page by page.

        A page holding more VPS than asked for, or a list longer than MAX_HOSTS, stops the reading at
        that page: the inventory fails naming the bound rather than hold what the API keeps sending.
        """
        http = HttpClient(NAME, settings["url"], timeout=settings["timeout"], validate_certs=settings["validate_certs"],
                          ca_path=settings["ca_path"], retries=settings["retries"],
                          auth=bearer(OAuthToken(token=settings["token"])), secrets=self._secrets,
                          client_cert=settings["client_cert"], client_key=settings["client_key"],
                          proxy=settings["proxy"], no_proxy=settings["no_proxy"],
                          rate_limit_max_wait=settings["rate_limit_max_wait"], env_prefix="HOSTUP",
                          progress=lambda line: self.display.v("HostUp inventory: %s" % line),
                          not_found=API.not_found, url_hint=API.url_hint)
        if http.insecure_warning:
            self.display.warning("HostUp inventory: %s" % http.insecure_warning)
        try:
            # Every field is kept: hostup_raw holds them all.
            listed = HostupClient(http).list_vps(settings["filters"], advice="Narrow the inventory with filters",
                                                 max_items=MAX_HOSTS)
        except ApiError as error:
            # The client's message has the status and the API's words, with every secret removed.
            raise AnsibleParserError(self._secrets.scrub(error.msg)) from None
        finally:
            if http.rate_limit_waited >= RETRY_AFTER_CAP:
                self.display.warning("HostUp inventory: waited %d seconds in all for the API's rate limits "
                                     "(Retry-After; rate_limit_max_wait is %d)"
                                     % (http.rate_limit_waited, http.rate_limit_max_wait))
        found = []
        # A VPS listed twice is given once by the client (list_vps).
        for item in listed:
            problem = vps_problem(item)
            if problem:
                self.display.warning("HostUp inventory: a VPS (name %s) is left out: its ID %s"
                                     % (shown(item.get("name")), problem))
                continue
            found.append(item)
        self.display.vvv("HostUp inventory: %d VPS" % len(found))
        return found

    # -- hosts and groups ------------------------------------------------------------------------
    def _known_groups(self, vps_list):
        """The group names known before any host is added: the inventory's so far, the plugin's, those of ``groups``."""
        groups = set(self.inventory.groups)
        groups.add(GROUP)
        groups.update(group for group in (power_group(vps) for vps in vps_list) if group)
        composed = self.get_option("groups")
        if isinstance(composed, dict):
            for name in composed:
                if isinstance(name, str) and name:
                    groups.update((name, to_safe_group_name(name, silent=True),
                                   to_safe_group_name(self._sanitize_group_name(name), silent=True)))
        return groups

    def _made_groups(self, named):
        """The groups the hosts ``named`` would be in, worked out on a scratch inventory (keyed_groups' names)."""
        real = self.inventory
        self.inventory = InventoryData()
        try:
            self._add_hosts(named, refuse=False)
            return set(self.inventory.groups)
        finally:
            self.inventory = real

    def _populate(self, vps_list):
        groups = self._known_groups(vps_list)
        wanted = self._wanted_names(vps_list)
        named, warnings = host_names(vps_list, groups, wanted)
        if self.get_option("keyed_groups"):
            # The names of keyed groups come from the hosts' variables: learnt on a scratch inventory,
            # then reserved too. A keyed group made of the host name itself moves with it: after
            # NAMING_PASSES, a group still named like a host is not made (HostsStayHosts).
            for dummy in range(NAMING_PASSES):
                made = self._made_groups(named)
                if not made.intersection(host for host, dummy in named):
                    break
                groups.update(made)
                named, warnings = host_names(vps_list, groups, wanted)
        for warning in warnings:
            self.display.warning(warning)
        refused = self._add_hosts(named, refuse=True)
        for group in refused:
            self.display.warning("HostUp inventory: the group %s (groups, keyed_groups) is not made: a host has that name"
                                 % shown(group))

    def _wanted_names(self, vps_list):
        """{VPS ID: (name, problem)} from the option ``hostname``; {} without it (the VPS names).

        The expression is evaluated over each VPS's variables (host_variables). One that fails, or
        gives no usable name, leaves the VPS its own name, with the reason in its warning: a name
        never fails the source, whatever ``strict`` says.
        """
        template = self.get_option("hostname")
        if not isinstance(template, str) or not template.strip():
            return {}
        wanted = {}
        for vps in vps_list:
            try:
                value = self._compose(template, host_variables(vps))
            except Exception as error:  # pylint: disable=broad-except
                # Whatever Jinja or a filter raises: the VPS keeps its name, with the reason.
                wanted[vps["id"]] = (None, "hostname failed (%s)" % shown(str(error), SHOWN_ERROR_CHARS))
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            if not isinstance(value, str):
                wanted[vps["id"]] = (None, "hostname gave %s, not a string" % shown(value))
            elif not value.strip():
                wanted[vps["id"]] = (None, "hostname gave an empty name")
            else:
                wanted[vps["id"]] = (str(value), None)
        return wanted

    def _add_hosts(self, named, refuse):
        """Add the hosts ``named`` with their variables and groups; return the groups refused (named like a host)."""
        self.inventory.add_group(GROUP)
        strict = self.get_option("strict")
        guarded = HostsStayHosts(self.inventory, set(host for host, dummy in named), refuse)
        for host, vps in named:
            # Values from the API are data, never templates.
            host = self.inventory.add_host(inert(host), group=GROUP)
            for variable, value in host_variables(vps).items():
                self.inventory.set_variable(host, variable, value)
            group = power_group(vps)
            if group:
                # By the host object: a host is never read as a group of the same name.
                self.inventory.add_host(host, self.inventory.add_group(group))

            variables = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option("compose"), variables, host, strict=strict)
            real = self.inventory
            self.inventory = guarded
            guarded.host = host
            try:
                self._add_host_to_composed_groups(self.get_option("groups"), variables, host, strict=strict)
                self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, host, strict=strict)
            finally:
                self.inventory = real
        return list(guarded.refused)


class HostsStayHosts:
    """The inventory as Constructable's ``groups`` and ``keyed_groups`` change it, where a host stays a host.

    Constructable puts a host in a group with ``add_child(group, host name)``, which Ansible reads
    as the group of that name when there is one (nesting it, or failing on a cycle). Here the host
    being added is always added as the host. With ``refuse``, a group named like one of the hosts
    is not made at all (its name is kept in ``refused``, in order): a pattern must never mean both.
    """

    def __init__(self, inventory, hosts, refuse):
        self._inventory = inventory
        self._hosts = hosts
        self._refuse = refuse
        self.host = None
        self.refused = {}

    def __getattr__(self, name):
        return getattr(self._inventory, name)

    def add_group(self, group):
        if self._refuse and isinstance(group, str) and group and group not in self._inventory.groups:
            name = to_safe_group_name(group, silent=True)
            if name in self._hosts or name in self._inventory.hosts:
                self.refused[name] = None
                return name
        return self._inventory.add_group(group)

    def add_host(self, host, group=None, port=None):
        if group in self.refused:
            return host
        return self._inventory.add_host(host, group, port)

    def add_child(self, group, child):
        if group in self.refused:
            return False
        if child == self.host:
            self._inventory.add_host(child, group)
            return True
        if child in self.refused:
            return False
        return self._inventory.add_child(group, child)
