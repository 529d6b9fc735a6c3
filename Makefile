# The two commands a new user needs are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
# No "Entering directory" lines, even under another make: `eval "$(make sim)"` reads stdout.
MAKEFLAGS += --no-print-directory
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
COLLECTIONS := .build/collections
LINK := $(COLLECTIONS)/ansible_collections/jobctl/cloud
SIM_SEED ?= demo
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/$(COLLECTIONS)
export ANSIBLE_NOCOLOR ?= 1
export ANSIBLE_LOCALHOST_WARNING := false
export ANSIBLE_INVENTORY_UNPARSED_WARNING := false
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export VENV

.PHONY: demo test venv demo-venv link awx-collection sim sim-env sim-stop shell matrix unit integration sanity lint molecule bench clean

# Two markers in one venv: the demo needs only ansible-core and requirements.txt (a few seconds to
# install); the development toolchain (molecule, ansible-lint, galaxy-importer, Sphinx, ...) comes
# with the first development target. pip's own output goes to stderr: `eval "$(make sim)"` reads stdout.
$(VENV)/.installed-demo: requirements.txt requirements-demo.txt
	@echo "Installing ansible-core and requirements.txt into $(VENV)" >&2
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	@$(PIP) install --quiet -r requirements-demo.txt >&2
	@touch $@

$(VENV)/.installed: requirements.txt requirements-demo.txt requirements-dev.txt
	@echo "Installing the development toolchain (requirements-dev.txt) into $(VENV)" >&2
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	@$(PIP) install --quiet --upgrade pip >&2
	@$(PIP) install --quiet -r requirements-dev.txt >&2
	@touch $@ $(VENV)/.installed-demo

demo-venv: $(VENV)/.installed-demo

venv: $(VENV)/.installed

# The repository root is the collection root: Ansible finds it through this link.
link:
	@mkdir -p $(dir $(LINK))
	@[ -L $(LINK) ] || ln -s $(CURDIR) $(LINK)

# awx.awx beside it, for the checks of playbooks/awx_setup.yml in tests/integration/test_awx.py (from
# PyPI: see the script).
awx-collection: venv
	@tests/utils/awx-collection.sh

demo: demo-venv link
	tests/utils/with-simulator.sh --seed demo -- \
		bash -c 'ansible-playbook --check playbooks/demo.yml && ansible-playbook playbooks/demo.yml'

# The simulator in the background, for ad-hoc runs: eval "$(make sim)" (see README.md).
sim: demo-venv link
	@tests/utils/sim.sh start --seed $(SIM_SEED)

# Only the simulator's API URLs and credentials, for a copy of the collection installed elsewhere:
# eval "$(make sim-env)"
sim-env: demo-venv
	@tests/utils/sim.sh env --seed $(SIM_SEED)

sim-stop:
	@tests/utils/sim.sh stop

# A shell with the venv, the collection and a simulator that stops when the shell exits.
shell: demo-venv link
	@tests/utils/sim.sh shell --seed $(SIM_SEED)

test: venv link awx-collection
	tests/utils/run-tests.sh

# Every ansible-core series meta/runtime.yml supports, each in its own venv under .build/.
matrix:
	tests/utils/version-matrix.sh

unit: venv link
	$(PY) -m pytest -q tests/unit

integration: venv link awx-collection
	$(PY) -m pytest -q tests/integration

sanity: venv
	tests/utils/sanity.sh

molecule: venv link
	tests/utils/molecule.sh

lint: venv link awx-collection
	$(VENV)/bin/ansible-lint

bench: venv link
	$(PY) tests/bench/bench.py

clean: sim-stop
	rm -rf .build tests/output
