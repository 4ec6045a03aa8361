# certfleet.cloud: `make test` and `make demo` work on a fresh clone; each builds what it needs.
SHELL := /bin/bash
PYTHON ?= python3
PYTHON_VERSION ?= $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
ANSIBLE_CORE ?= ansible-core>=2.19,<2.20
BUILD := $(CURDIR)/build
VENV ?= $(BUILD)/venv-$(PYTHON_VERSION)
# A checkout at .../ansible_collections/certfleet/cloud (the layout ansible-test and collection
# contributors use) is found where it is: a collections path may not itself lie under an
# ansible_collections folder (ansible-core then ignores the collection's roles), so no link or copy
# below build/ would do.
NESTED := $(filter %/ansible_collections/certfleet/cloud,$(CURDIR))
ifneq ($(NESTED),)
COLLECTIONS := $(abspath $(CURDIR)/../../..)
TEST_ROOT := $(CURDIR)
else
COLLECTIONS := $(BUILD)/collections
TEST_ROOT := $(BUILD)/test-root/ansible_collections/certfleet/cloud
endif
COLLECTION := $(COLLECTIONS)/ansible_collections/certfleet/cloud

# The matrix run: newest ansible-core on Python 3.12 (pyenv keeps it off PATH here).
MATRIX_PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) $(shell python3.12 -c 'import sys; print(sys.executable)' 2>/dev/null))
MATRIX_CORE ?= ansible-core>=2.21.0,<2.22
# The oldest ansible-core that meta/runtime.yml claims: the fleet deployment and the role run on it too.
OLDEST_CORE ?= ansible-core>=2.16.0,<2.17
OLDEST_TARGETS ?= certificate_deploy certificate_rotation certificate_replace credential_chain

.PHONY: all test test-matrix demo bench docs sanity units integration venv layout emulator clean

all: test

$(VENV)/.installed: requirements.txt tests/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip
	$(VENV)/bin/python -m pip install -q "$(ANSIBLE_CORE)" -r requirements.txt -r tests/requirements.txt
	touch $@

venv: $(VENV)/.installed

# Playbooks find the collection through this link; ansible-test gets a copy and, since it cannot
# download its pip bootstrap script here, a cached stand-in (both in hack/run_tests.py).
layout:
ifeq ($(NESTED),)
	@mkdir -p $(dir $(COLLECTION))
	@ln -sfn $(CURDIR) $(COLLECTION)
endif

test: venv layout
	$(VENV)/bin/python hack/run_tests.py --venv $(VENV) --collection $(TEST_ROOT) --python $(PYTHON_VERSION)

sanity units integration: venv layout
	$(VENV)/bin/python hack/run_tests.py --venv $(VENV) --collection $(TEST_ROOT) --python $(PYTHON_VERSION) --only $@

test-matrix: layout
	@test -n "$(MATRIX_PYTHON)" || { echo "python3.12 not found"; exit 1; }
	$(MAKE) venv PYTHON=$(MATRIX_PYTHON) ANSIBLE_CORE="$(MATRIX_CORE)" VENV=$(BUILD)/venv-matrix
	$(BUILD)/venv-matrix/bin/python hack/run_tests.py --venv $(BUILD)/venv-matrix --collection $(TEST_ROOT) \
	  --python $$($(MATRIX_PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])') --only sanity,units
	$(MAKE) venv ANSIBLE_CORE="$(OLDEST_CORE)" VENV=$(BUILD)/venv-oldest
	for target in $(OLDEST_TARGETS); do \
	  PATH=$(BUILD)/venv-oldest/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(COLLECTIONS) \
	    bash tests/integration/targets/$$target/runme.sh || exit 1; \
	done

demo: venv layout
	$(VENV)/bin/python hack/run_demo.py --venv $(VENV) --collections $(COLLECTIONS)

bench: venv layout
	$(VENV)/bin/python benchmarks/api_calls.py --venv $(VENV) --collections $(COLLECTIONS)
	$(VENV)/bin/python benchmarks/sm2.py
	$(VENV)/bin/python benchmarks/rotation.py --venv $(VENV) --collections $(COLLECTIONS)

# The HTML docsite (module pages and the guides in docs/) into build/docs; `make test` builds it too.
docs: venv layout
	$(VENV)/bin/python hack/build_docs.py --venv $(VENV) --collections $(COLLECTIONS) --out $(BUILD)/docs

emulator: venv
	$(VENV)/bin/python tests/emulator/serve.py --port $${PORT:-8080}

clean:
	rm -rf $(BUILD) tests/output
