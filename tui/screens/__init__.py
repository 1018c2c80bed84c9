"""Screens of the live monitor: the main screen and the modal views over it."""
