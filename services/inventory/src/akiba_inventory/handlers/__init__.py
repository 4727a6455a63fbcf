"""One async function per command: movements, stocktakes, reference data."""
