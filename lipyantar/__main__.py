"""``python -m lipyantar``: the ``lipyantar`` command line."""

from lipyantar.cli import main

if __name__ == "__main__":
    main(prog_name="lipyantar")
