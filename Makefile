# The two commands of the README:
#   make demo   sets up .venv and runs a drag on the bundled model (writes outputs/demo/)
#   make test   sets up .venv and runs every test (Python, and JavaScript when present)
PY := .venv/bin/python
export PYTHONWARNINGS := ignore::UserWarning

.PHONY: demo test setup setup-test
demo: setup
	$(PY) -m easydrag_ext demo

test: setup-test
	$(PY) -m pytest -q
	node --test tests/js/ tests/webui/js/

setup:
	tools/setup_env.sh run

setup-test:
	tools/setup_env.sh test
