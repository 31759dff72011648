"""Readers for published tender data (OCDS). Pure parsing: no Flask, no database."""
