"""Registry fixtures (filled in by the registry work): docker-registry and the test registry."""
