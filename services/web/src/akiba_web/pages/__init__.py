"""The pages, one router per area."""
