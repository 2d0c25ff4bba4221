"""Incident cases, the five-hour clock, escalation and release drafts."""
