"""Printing tickets: URIs, layout, the print queue, its worker and its transports."""
