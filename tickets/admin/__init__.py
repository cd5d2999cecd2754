"""Django admin for every model of the desk."""
