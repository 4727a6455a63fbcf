"""The stock HTTP API's models, served by inventory centrally and by each site's gateway.

One set of request and response shapes, so a site's apps speak to their gateway exactly as
central clients speak to inventory.
"""
