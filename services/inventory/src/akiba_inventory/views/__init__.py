"""Read queries: stock on hand and the ledger, stocktakes, consumption (AMC, MOS)."""
