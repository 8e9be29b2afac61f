# The two commands of the README:
#   make demo   sets up .venv and runs a drag on the bundled model (writes outputs/demo/)
#   make test   sets up .venv and runs every test (Python, the engine and glue tests again on
#               torch 2.1.2 as WebUI v1.10.1 installs it, and JavaScript when present)
PY := .venv/bin/python
export PYTHONWARNINGS := ignore::UserWarning

.PHONY: demo test setup setup-test
demo: setup
	$(PY) -m easydrag_ext demo

# The engine and WebUI glue tests again on WebUI v1.10.1's torch (2.1.2, set up by setup-test).
TORCH_WEBUI := .venv/torch-2.1.2
TORCH_WEBUI_TESTS := tests/engine tests/webui tests/test_cli.py tests/bench/test_device_check.py

test: setup-test
	$(PY) -m pytest -q
	PYTHONPATH=$(TORCH_WEBUI) $(PY) -c 'import torch; assert torch.__version__.startswith("2.1.2"), torch.__version__'
	PYTHONPATH=$(TORCH_WEBUI) $(PY) -m pytest -q -p no:cacheprovider $(TORCH_WEBUI_TESTS)
	node --test tests/js/ tests/webui/js/

setup:
	tools/setup_env.sh run

setup-test:
	tools/setup_env.sh test
