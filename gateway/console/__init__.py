"""The migration console at /console: traffic, the Rosetta view of an invoice, translate, and
credentials, for one signed-in account. Routes are in gateway.console.routes; the CLI groups for
credentials and traffic pruning in gateway.console.commands."""
