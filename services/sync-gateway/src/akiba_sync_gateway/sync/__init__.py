"""Sync with central: the link, the forwarder and puller, their loops, backoff and health."""
