"""Orders the site's stores placed and the shipments coming to them, received offline."""
