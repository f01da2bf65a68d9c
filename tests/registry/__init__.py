"""Tests of the registry client, its auth, and the test registries."""
