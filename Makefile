# The two commands a new user needs are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
COLLECTIONS := .build/collections
LINK := $(COLLECTIONS)/ansible_collections/jobctl/cloud
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/$(COLLECTIONS)
export ANSIBLE_NOCOLOR ?= 1
export ANSIBLE_LOCALHOST_WARNING := false
export ANSIBLE_INVENTORY_UNPARSED_WARNING := false
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: demo test venv link unit integration sanity lint molecule bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# The repository root is the collection root: Ansible finds it through this link.
link:
	@mkdir -p $(dir $(LINK))
	@[ -L $(LINK) ] || ln -s $(CURDIR) $(LINK)

demo: venv link
	tests/utils/with-simulator.sh --seed demo -- \
		bash -c 'ansible-playbook --check playbooks/demo.yml && ansible-playbook playbooks/demo.yml' 

test: venv link
	tests/utils/run-tests.sh

unit: venv link
	$(PY) -m pytest -q tests/unit

integration: venv link
	$(PY) -m pytest -q tests/integration

sanity: venv
	tests/utils/sanity.sh

molecule: venv link
	tests/utils/molecule.sh

lint: venv link
	$(VENV)/bin/ansible-lint

bench: venv link
	$(PY) tests/bench/bench.py

clean:
	rm -rf .build tests/output
