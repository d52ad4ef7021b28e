"""The console's page routers, one module per concept."""
