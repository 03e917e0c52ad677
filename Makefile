# Tiny Machine Learner — everything a learner or a contributor runs.
#   make lab    set everything up, then open JupyterLab on the chapters
#   make test   set everything up, then run every test (unit, property, notebooks)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8888
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: lab test setup lint images bench outputs clean help book booktest reset uitest
.DEFAULT_GOAL := help

help:
	@echo "make setup   create .venv, install tinyml and its dependencies, check Graphviz"
	@echo "             (lab and test run it first; run it alone to set up without starting)"
	@echo "make lab     set up (first time: a few minutes) and open JupyterLab on your copies"
	@echo "             of the chapters in my-notebooks/ (make reset CHAPTER=04 restores one)"
	@echo "make test    set up and run all tests: tests/ and every notebook under nbval"
	@echo "make images  regenerate the pictures in images/ from tinyml's drawing code"
	@echo "make outputs re-run every notebook in place (after editing a chapter)"
	@echo "make uitest  open every chapter in JupyterLab in a headless Chromium and check it"
	@echo "make bench   speed benchmarks (installs the optional comparison packages)"
	@echo "make book    the course as a static website in build/book/ (open build/book/index.html)"
	@echo "make booktest  build the book and check its links, images, math and titles"
	@echo "make clean   remove the virtual environment and caches"

# The virtual environment is rebuilt only when the package's dependencies change.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "Python 3.10 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# JupyterLab's defaults for this course (a learner's own settings still win): every cell of a
# chapter is drawn, so a link such as [Exercise 3](#Exercise-3) lands on its heading. With the
# default windowing, cells far from the view have estimated heights and the first jump lands
# thousands of pixels short (make uitest checks every link).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
$(LAB_OVERRIDES): scripts/jupyterlab-overrides.json $(STAMP)
	mkdir -p $(dir $@) && cp $< $@

setup: $(STAMP) $(LAB_OVERRIDES)
	@sh scripts/ensure_graphviz.sh

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

# The learner works in my-notebooks/ (git-ignored): chapters missing there are copied from
# notebooks/, and a copy already there is never overwritten. The server is rooted at the
# repository, so the README and images/ are reachable too.
lab: setup
	$(BIN)/python scripts/my_notebooks.py
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/my-notebooks $(ROOT_FLAG)

# Put one chapter of my-notebooks/ back as the course ships it (yours is kept beside it).
reset:
	@test -n "$(CHAPTER)" || { echo "usage: make reset CHAPTER=04"; exit 2; }
	$(PYTHON) scripts/my_notebooks.py reset $(CHAPTER)

test: setup lint
	$(BIN)/python -m pytest $(NBVAL) tests notebooks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

images: setup
	$(BIN)/python -m tinyml.images images

outputs: setup
	$(BIN)/python scripts/normalize_notebooks.py
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False \
		--ExecutePreprocessor.kernel_name=python3 notebooks/[0-9]*.ipynb
	$(BIN)/python scripts/normalize_notebooks.py

# Every chapter in JupyterLab in a headless Chromium (tests/ui). Installs Debian's chromium
# and the playwright package when missing; screenshots go to build/uitest/
# (make uitest SCREENSHOT=1 also rewrites the README's images/jupyterlab.png).
uitest: setup
	@sh scripts/ensure_chromium.sh
	@$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[uitest]"
	$(BIN)/python -m pytest tests/ui -v --durations=0
	@echo "JupyterLab, per chapter:" && cat build/uitest/times.txt

bench: setup
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/run.py
	$(BIN)/python bench/training.py
	$(BIN)/python bench/tensors.py

# The course as a static website, from the committed outputs (nothing is executed, nothing is
# fetched): build/book/index.html. Its tools are an optional extra, installed on first use.
BOOK_STAMP := $(VENV)/.installed-book
$(BOOK_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[book]"
	touch $(BOOK_STAMP)

book: $(BOOK_STAMP)
	rm -rf build/book build/book-doctrees build/jupyter_execute
	$(BIN)/sphinx-build -q -b html -c book -d build/book-doctrees $(SPHINXOPTS) . build/book
	@echo "The book is in build/book/ — open build/book/index.html in a browser."

# Build with warnings as errors, then check links, images, math, titles and external hosts.
booktest:
	$(MAKE) book SPHINXOPTS="-W --keep-going"
	$(BIN)/python book/check.py build/book

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
