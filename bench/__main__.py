"""`python -m bench [--quick] [...]`: see bench.cli for the options."""

from bench.cli import main

if __name__ == "__main__":
    main()
