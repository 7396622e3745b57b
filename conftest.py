"""Repository-level pytest configuration: nothing here is needed by installed users."""

pytest_plugins = ["pytester"]
