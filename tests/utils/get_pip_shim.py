"""Stand-in for the get-pip.py script that ansible-test downloads from a host CI cannot reach.

ansible-test runs ~/.ansible/test/cache/get_pip_<version>.py in each new, empty sanity venv with
arguments like ``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``. This does the
same with Python's bundled ensurepip, then installs the requested packages from the package index.
"""

import subprocess
import sys

GET_PIP_ONLY = ("--no-setuptools", "--no-wheel")

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"] + args)
