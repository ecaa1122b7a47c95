"""Brightway 2.5 interoperability. Imports bw2calc / bw_processing lazily, only here."""
