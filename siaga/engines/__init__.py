"""Pure engines: they take and return plain data and import nothing from Django."""
