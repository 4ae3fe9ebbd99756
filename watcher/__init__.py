"""The watcher: database owner, feed crawler, scheduler and command line of veille."""
