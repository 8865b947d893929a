"""The application shell: app factory, settings, auth wiring, controllers, templates, CLI."""
