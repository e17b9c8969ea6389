"""Printed documents (reportlab). Import the document module you need where you need it:
reportlab is heavy and stays out of start-up."""
