"""Sıra's virtual ESC/POS network printer: decodes what it receives into readable tickets."""
