"""Built-in templates (installed as the package ``generator.templates``)."""
