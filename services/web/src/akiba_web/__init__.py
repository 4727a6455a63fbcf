"""Akiba's web app: server-rendered pages over the services' own APIs, central and at sites."""
