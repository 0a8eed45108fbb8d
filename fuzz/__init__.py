"""Fuzzing inputs shared by the atheris harness and the test suite."""
