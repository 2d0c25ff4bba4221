"""The web interface of the information division, leadership and operators."""
