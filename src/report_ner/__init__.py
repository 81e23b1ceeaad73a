"""report_ner: entities and sections in Chinese official work reports."""

__version__ = "0.2.1"
