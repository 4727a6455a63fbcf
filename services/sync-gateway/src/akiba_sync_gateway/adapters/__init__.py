"""The gateway's adapters to the site's SQLite file: the database, its writer, the stores."""
