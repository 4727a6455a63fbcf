"""Akiba sync gateway: a site records offline and forwards in per-store order."""
