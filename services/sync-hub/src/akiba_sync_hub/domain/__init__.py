"""The hub's pure rules: feed scopes and which site writes are allowed."""
