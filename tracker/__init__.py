"""tracker: keep track of what experts predicted, what really happened, and who was right."""

__version__ = "0.1.0"
