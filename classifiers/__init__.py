"""Classifier heads (concern, domain, rumor, incident type) and severity extraction."""
