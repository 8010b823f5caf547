#!/usr/bin/env bash
# The Python 3.11 that `make` builds .venv with: the distribution's own python3.11 when it
# is there and can make a virtual environment, else the first python3 on the PATH.
#
# Why: the same code ran the order cycle about 15 % faster on Debian's python3.11 than on
# a python3.11 built from source with default options (a shared libpython, no profile-guided
# optimisation), which is what pyenv and similar tools build (docs/benchmarks.md, finding 26).
# PYTHON=... on make's command line still chooses another interpreter.
set -euo pipefail
for candidate in /usr/bin/python3.11; do
  if [ -x "$candidate" ] && "$candidate" -c 'import ensurepip, venv' >/dev/null 2>&1; then
    echo "$candidate"
    exit 0
  fi
done
echo python3
