"""synthrl: adapt a language model to a task from nothing but its definition."""

__version__ = "0.1.0"
