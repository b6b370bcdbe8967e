"""Schema migrations, one module per version: ``mNNN_name.py`` with a ``SQL`` string."""
