"""Widgets of the live monitor; each renders rows it is given and posts intent."""
