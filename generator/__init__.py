"""newsdigest: turn a pile of news articles into a static digest of stories."""

__version__ = "0.1.0"
