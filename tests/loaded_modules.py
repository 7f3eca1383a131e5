"""Which modules a sentibot command loads: run it in a child Python through ``WRAPPER``."""

HEAVY = ("tensorflow", "keras", "tf_keras")  # what a TensorFlow-free command must not load

# ``python -c WRAPPER ARGS...`` runs ``sentibot ARGS``, then writes the top-level names of every
# loaded module, as a JSON list, to the file named by ``LOADED_MODULES_FILE``.
WRAPPER = """
import json, os, sys
from bot.cli.main import main
try:
    status = main(sys.argv[1:])
finally:
    with open(os.environ["LOADED_MODULES_FILE"], "w") as out:
        json.dump(sorted({name.split(".")[0] for name in sys.modules}), out)
sys.exit(status)
"""
