"""Connector tests: the real tweepy and praw against the fake servers in tests/fakes."""
