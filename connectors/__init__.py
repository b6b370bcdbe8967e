"""Platform connectors: the only code that imports a platform's client library."""
