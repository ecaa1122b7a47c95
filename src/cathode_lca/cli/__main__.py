"""``python -m cathode_lca.cli``: the same as the ``cathode-lca`` console script."""

from .app import main

if __name__ == "__main__":  # pragma: no cover
    main()
