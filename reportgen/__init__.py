"""reportgen: officers' Excel action trackers in, RAG-rated board reports out."""

__version__ = "0.1.0"
