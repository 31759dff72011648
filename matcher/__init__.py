"""Matchmaker's pure matching engine."""
