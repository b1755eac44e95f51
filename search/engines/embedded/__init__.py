"""The embedded engine: a Whoosh-format index in a local directory, written by our own code.

Everything that imports whoosh or reads or writes the on-disk format lives in this package.
"""
