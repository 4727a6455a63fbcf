"""The pure stock domain shared by inventory and the sync gateway: no I/O, no frameworks."""
