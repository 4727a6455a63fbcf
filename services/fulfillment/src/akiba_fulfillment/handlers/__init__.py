"""One async function per command: each runs in one unit of work."""
