"""Screens for customers: the display board, the counter-top feedback screen, the phone pages."""
